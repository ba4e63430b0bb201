// /experiments/new and /experiments/{id}/edit: experiment, name, description and the
// configuration form generated from the experiment's fields. Validation errors from the server
// (422, with a path per error) are shown next to their fields, anything else at the top.

import { h, replaceChildren } from '../dom.js';
import { api, ApiError } from '../api.js';
import { navigate } from '../router.js';
import { breadcrumbs, pageHeader, loadingBlock } from '../components/layout.js';
import { configForm } from '../components/config-form.js';
import { resourcesForm } from '../components/resources-form.js';
import { toast } from '../components/notice.js';

export async function mount(root, { mode, id }, ctx) {
  replaceChildren(root, loadingBlock());
  const editing = mode === 'edit';
  const [experiments, instance] = await Promise.all([api.experiments({ signal: ctx.signal }), editing ? api.instance(id, { signal: ctx.signal }) : null]);
  if (!ctx.active) return;
  document.title = editing ? `Edit ${instance.name} · Athanor` : 'New instance · Athanor';

  const wanted = new URLSearchParams(location.search).get('experiment');
  const initialExperiment = editing ? instance.experiment : experiments.some((e) => e.name === wanted) ? wanted : experiments[0] && experiments[0].name;

  const general = h('div', { class: 'notice notice-error form-errors', role: 'alert', hidden: true });
  const experimentSelect = h(
    'select',
    { id: 'f-experiment', class: 'input', name: 'experiment', disabled: editing },
    experiments.map((experiment) => h('option', { value: experiment.name, text: experiment.language === 'swift' ? experiment.name : `${experiment.name} (${experiment.language})` })),
  );
  if (editing && !experiments.some((e) => e.name === instance.experiment)) {
    experimentSelect.append(h('option', { value: instance.experiment, text: `${instance.experiment} (not available)` }));
  }
  experimentSelect.value = initialExperiment || '';
  const experimentAbout = h('div', { class: 'field-hint' });
  const name = h('input', { id: 'f-name', class: 'input', name: 'name', type: 'text', autocomplete: 'off', value: editing ? instance.name : '', placeholder: 'e.g. Baseline, small models' });
  const description = h('textarea', { id: 'f-description', class: 'input', name: 'description', rows: 2, placeholder: 'What this instance is for (optional)' });
  description.value = editing ? instance.description || '' : '';
  const nameError = h('div', { class: 'field-error', role: 'alert', hidden: true });
  const configHolder = h('div', { class: 'config-holder' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, editing ? 'Save changes' : 'Create instance');
  const cancelHref = editing ? `/experiments/${instance.instance}` : '/experiments';
  let form = null;
  const resources = resourcesForm(editing ? instance.resources : {});

  function showExperiment(keepConfig) {
    const experiment = experiments.find((e) => e.name === experimentSelect.value);
    experimentAbout.textContent = experiment ? experiment.description : '';
    if (!experiment) {
      form = null;
      configHolder.replaceChildren(h('p', { class: 'muted', text: 'This experiment is not registered in this server, so its configuration cannot be edited here.' }));
      return;
    }
    form = configForm(experiment.fields || [], keepConfig ? instance.config : null);
    configHolder.replaceChildren(form.el);
  }
  experimentSelect.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('experiment', experimentSelect.value);
    history.replaceState(null, '', url.pathname + url.search);
    clearErrors();
    showExperiment(false);
  });

  function clearErrors() {
    general.hidden = true;
    general.replaceChildren();
    nameError.hidden = true;
    nameError.textContent = '';
    resources.clearErrors();
    name.removeAttribute('aria-invalid');
    name.closest('.field').classList.remove('has-error');
    if (form) form.clearErrors();
  }

  function showGeneral(title, details) {
    general.replaceChildren(h('strong', { text: title }), details.length ? h('ul', {}, details.map((d) => h('li', {}, d.path ? h('code', { text: d.path }) : null, d.path ? ': ' : null, d.message))) : null);
    general.hidden = false;
  }

  function showNameError(message) {
    nameError.textContent = message;
    nameError.hidden = false;
    name.setAttribute('aria-invalid', 'true');
    name.closest('.field').classList.add('has-error');
  }

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors();
    const value = form ? form.value() : { config: undefined, errors: [] };
    let problems = false;
    if (!name.value.trim()) {
      showNameError('required');
      problems = true;
    }
    const chosen = resources.value();
    const fieldErrors = [...value.errors, ...chosen.errors];
    if (fieldErrors.length) {
      const unplaced = resources.showErrors(form ? form.showErrors(fieldErrors) : fieldErrors);
      if (unplaced.length) showGeneral('Please fix these fields:', unplaced);
      problems = true;
    }
    if (problems) {
      (root.querySelector('.has-error input, .has-error select, .has-error textarea') || name).focus();
      return;
    }
    const body = { name: name.value.trim(), description: description.value.trim(), resources: chosen.resources };
    if (form) body.config = value.config;
    submit.disabled = true;
    try {
      const saved = editing ? await api.updateInstance(instance.instance, body, { signal: ctx.signal }) : await api.createInstance({ experiment: experimentSelect.value, ...body }, { signal: ctx.signal });
      toast(editing ? 'Changes saved' : `Created “${saved.name}”`);
      navigate(`/experiments/${saved.instance}`);
    } catch (error) {
      if (error.name === 'AbortError') return;
      submit.disabled = false;
      handleError(error);
    }
  }

  function handleError(error) {
    if (!(error instanceof ApiError)) {
      showGeneral(error.message || String(error), []);
      return;
    }
    if (error.status === 422 && error.details.length && form) {
      const unplaced = resources.showErrors(form.showErrors(error.details));
      const left = [];
      for (const detail of unplaced) {
        if (detail.path === 'name') showNameError(detail.message);
        else left.push(detail);
      }
      if (left.length) showGeneral('The configuration is not valid:', left);
      const first = root.querySelector('.has-error input, .has-error select, .has-error textarea');
      if (first) first.focus();
      return;
    }
    if (/\bname\b/i.test(error.message) && error.status === 400 && !error.details.length) {
      showNameError(error.message);
      return;
    }
    showGeneral(error.message, error.details);
    general.scrollIntoView({ block: 'nearest' });
  }

  const formEl = h(
    'form',
    { class: 'card form', novalidate: true, onsubmit: onSubmit },
    general,
    h(
      'div',
      { class: 'form-section' },
      h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'f-experiment', text: 'Experiment' }), h('div', { class: 'field-body' }, experimentSelect, experimentAbout)),
      h('div', { class: 'field', dataset: { field: 'name' } }, h('label', { class: 'field-label', for: 'f-name' }, 'Name', h('span', { class: 'required', text: ' *' })), h('div', { class: 'field-body' }, name, nameError)),
      h('div', { class: 'field' }, h('label', { class: 'field-label', for: 'f-description', text: 'Description' }), h('div', { class: 'field-body' }, description)),
    ),
    h('div', { class: 'form-section' }, h('h2', { class: 'section-title', text: 'Configuration' }), configHolder),
    h('div', { class: 'form-section' }, resources.el),
    h('div', { class: 'form-actions' }, submit, h('a', { class: 'btn btn-ghost', href: cancelHref, text: 'Cancel' })),
  );

  replaceChildren(
    root,
    editing ? breadcrumbs(['Experiments', '/experiments'], [instance.name, `/experiments/${instance.instance}`], 'Edit') : breadcrumbs(['Experiments', '/experiments'], 'New instance'),
    pageHeader({ title: [editing ? `Edit ${instance.name}` : 'New instance'] }),
    experiments.length ? formEl : h('div', { class: 'notice notice-warn', text: 'No experiments are registered in this server.' }),
  );
  showExperiment(editing);
  if (!editing) name.focus();
}
