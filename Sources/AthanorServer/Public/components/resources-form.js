// An instance's Slurm resources (docs/slurm.md): what its runs ask for when the server runs them
// on Slurm. Edited with the configuration form's controls, so the server's errors
// (`resources.cpus`) land next to their field; fields left empty take the server's --slurm-*
// defaults.

import { configForm } from './config-form.js';

const FIELDS = [
  {
    name: 'resources',
    type: 'group',
    label: 'Slurm resources',
    description: 'Used when the server runs on Slurm (--executor slurm). Empty fields take the server’s --slurm-* defaults.',
    fields: [
      { name: 'partition', type: 'string', description: 'sbatch --partition.' },
      { name: 'time', type: 'string', label: 'Time limit', description: 'sbatch --time: 30, 2:00:00, 1-00:00.' },
      { name: 'gres', type: 'string', label: 'GRES', description: 'Generic resources, such as gpu:1.' },
      { name: 'cpus', type: 'integer', label: 'CPUs', min: 1, max: null, description: 'CPUs per run (sbatch --cpus-per-task).' },
      { name: 'mem', type: 'string', label: 'Memory', description: 'sbatch --mem, such as 16G.' },
      { name: 'options', type: 'string', label: 'Further options', description: 'Other sbatch options, separated by spaces: --qos=high --account=lab.' },
    ],
  },
];

/**
 * `resourcesForm(resources)` → the configuration form's `{el, clearErrors, showErrors}` and
 * `value() → {resources, errors}`, the resources as the API takes them.
 */
export function resourcesForm(resources) {
  const initial = { ...(resources || {}) };
  if (Array.isArray(initial.options)) initial.options = initial.options.join(' ');
  const form = configForm(FIELDS, { resources: initial });
  return {
    ...form,
    value() {
      const { config, errors } = form.value();
      const chosen = { ...(config.resources || {}) };
      if (chosen.options !== undefined) chosen.options = chosen.options.split(/\s+/).filter(Boolean);
      if (chosen.options && !chosen.options.length) delete chosen.options;
      return { resources: chosen, errors };
    },
  };
}

/** The resources in one line (`cpus 4 · time 2:00:00 · --qos=high`), or the defaults' note. */
export function resourcesText(resources) {
  const parts = Object.entries(resources || {}).flatMap(([key, value]) => (key === 'options' ? value : [`${key} ${value}`]));
  return parts.length ? parts.join(' · ') : 'the executor’s defaults';
}
