// A configuration form generated from an experiment's `fields` (docs/http-api.md): numbers with
// min/max/step, text, choices, checkboxes, repeatable list items and nested groups. Every field's
// wrapper carries `data-path` (`model_pairs[1].model_a`), kept current as items come and go, so
// the server's validation errors land next to their field.

import { groupControl } from './config-fields.js';

/**
 * `configForm(fields, config)` → `{el, value() → {config, errors}, showErrors(details) →
 * unplaced details, clearErrors()}`. `config` prefills (else each field's default).
 */
export function configForm(fields, config) {
  const root = groupControl({ fields }, config ?? {}, { root: true });
  root.setPath('');
  return {
    el: root.el,
    value() {
      const errors = [];
      const config = root.read(errors);
      return { config: config ?? {}, errors };
    },
    clearErrors() {
      for (const slot of root.el.querySelectorAll('.field-error')) {
        slot.textContent = '';
        slot.hidden = true;
      }
      for (const el of root.el.querySelectorAll('.has-error')) el.classList.remove('has-error');
      for (const el of root.el.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    },
    /** Shows each `{path, message}` at its field (or its closest enclosing one); returns the rest. */
    showErrors(details) {
      const unplaced = [];
      for (const detail of details) {
        if (!place(root.el, detail.path || '', detail.message)) unplaced.push(detail);
      }
      const first = root.el.querySelector('.has-error input, .has-error select, .has-error textarea, .has-error button');
      if (first) first.focus({ preventScroll: false });
      return unplaced;
    },
  };
}

function place(container, path, message) {
  let target = path;
  let prefix = '';
  while (target) {
    const el = container.querySelector(`[data-path="${CSS.escape(target)}"]`);
    if (el) {
      const slot = el.querySelector(':scope > .field-error, :scope > .field-body > .field-error');
      if (!slot) return false;
      const text = prefix ? `${prefix}: ${message}` : message;
      slot.textContent = slot.textContent ? `${slot.textContent} · ${text}` : text;
      slot.hidden = false;
      el.classList.add('has-error');
      const input = el.querySelector(':scope > .field-body > .input, :scope > .field-body > label > input');
      if (input) input.setAttribute('aria-invalid', 'true');
      return true;
    }
    const cut = Math.max(target.lastIndexOf('.'), target.lastIndexOf('['));
    prefix = target.slice(cut >= 0 ? cut : 0).replace(/^\./, '') + (prefix ? (prefix.startsWith('[') ? prefix : `.${prefix}`) : '');
    target = cut > 0 ? target.slice(0, cut) : '';
  }
  return false;
}
