// The controls of a generated configuration form, one per field type. Each control is
// `{el, setPath(path), read(errors) → value or undefined when left empty}`; its element carries
// `data-path` and an error slot (`.field-error`).

import { h, icon } from '../dom.js';
import { formatCount, humanize } from '../format.js';

let uid = 0;
const nextId = () => `cf-${++uid}`;

export function errorSlot() {
  return h('div', { class: 'field-error', role: 'alert', hidden: true });
}

function labelText(field) {
  return field.label || humanize(field.name);
}

function hint(field) {
  const parts = [];
  if (field.description) parts.push(field.description);
  if ((field.type === 'integer' || field.type === 'float') && (field.min !== null || field.max !== null)) {
    const min = field.min ?? null;
    const max = field.max ?? null;
    if (min !== null && max !== null) parts.push(`From ${formatCount(min)} to ${formatCount(max)}.`);
    else if (min !== null) parts.push(`At least ${formatCount(min)}.`);
    else parts.push(`At most ${formatCount(max)}.`);
  }
  return parts.length ? h('div', { class: 'field-hint', text: parts.join(' ') }) : null;
}

function control(field, value) {
  switch (field.type) {
    case 'integer':
    case 'float':
      return numberControl(field, value);
    case 'boolean':
      return booleanControl(field, value);
    case 'list':
      return listControl(field, value);
    case 'group':
      return groupControl(field, value);
    case 'string':
      return field.options ? choiceControl(field, value) : textControl(field, value);
    default:
      return jsonControl(field, value);
  }
}

function wrapper(field, input, id) {
  const el = h(
    'div',
    { class: ['field', `field-${field.type}`], dataset: { field: field.name } },
    h('label', { class: 'field-label', for: id }, labelText(field), field.required ? h('span', { class: 'required', title: 'required', text: ' *' }) : null),
    h('div', { class: 'field-body' }, input, hint(field), errorSlot()),
  );
  return el;
}

function numberControl(field, value) {
  const id = nextId();
  const initial = value ?? field.default;
  const input = h('input', {
    id,
    class: 'input',
    type: 'number',
    name: field.name,
    inputmode: field.type === 'integer' ? 'numeric' : 'decimal',
    step: field.step ?? (field.type === 'integer' ? 1 : 'any'),
    min: field.min ?? undefined,
    max: field.max ?? undefined,
    value: initial === undefined || initial === null ? '' : String(initial),
  });
  const el = wrapper(field, input, id);
  return {
    el,
    setPath: (path) => (el.dataset.path = path),
    read(errors) {
      if (input.value === '') {
        if (input.validity.badInput) errors.push({ path: el.dataset.path, message: 'not a number' });
        return undefined;
      }
      const number = Number(input.value);
      if (!Number.isFinite(number)) {
        errors.push({ path: el.dataset.path, message: 'not a number' });
        return undefined;
      }
      return number;
    },
  };
}

function textControl(field, value) {
  const id = nextId();
  const initial = value ?? field.default;
  const input = h('input', { id, class: 'input', type: 'text', name: field.name, autocomplete: 'off', value: initial === undefined || initial === null ? '' : String(initial) });
  const el = wrapper(field, input, id);
  return {
    el,
    setPath: (path) => (el.dataset.path = path),
    read: () => (input.value === '' ? undefined : input.value),
  };
}

function choiceControl(field, value) {
  const id = nextId();
  const initial = value ?? field.default ?? '';
  const options = [...field.options];
  if (initial !== '' && !options.includes(initial)) options.unshift(initial);
  const input = h(
    'select',
    { id, class: 'input', name: field.name },
    initial === '' || !field.required ? h('option', { value: '', text: field.required ? 'Choose…' : '—' }) : null,
    options.map((option) => h('option', { value: option, text: option, selected: option === initial })),
  );
  input.value = initial;
  const el = wrapper(field, input, id);
  return {
    el,
    setPath: (path) => (el.dataset.path = path),
    read: () => (input.value === '' ? undefined : input.value),
  };
}

function booleanControl(field, value) {
  const id = nextId();
  const input = h('input', { id, type: 'checkbox', name: field.name, checked: Boolean(value ?? field.default ?? false) });
  const el = h(
    'div',
    { class: 'field field-boolean', dataset: { field: field.name } },
    h('div', { class: 'field-label' }),
    h('div', { class: 'field-body' }, h('label', { class: 'checkbox', for: id }, input, h('span', { text: labelText(field) })), hint(field), errorSlot()),
  );
  return {
    el,
    setPath: (path) => (el.dataset.path = path),
    read: () => input.checked,
  };
}

function jsonControl(field, value) {
  const id = nextId();
  const initial = value ?? field.default;
  const input = h('textarea', { id, class: 'input mono', name: field.name, rows: 3, value: initial === undefined ? '' : JSON.stringify(initial, null, 2) });
  const el = wrapper(field, input, id);
  return {
    el,
    setPath: (path) => (el.dataset.path = path),
    read(errors) {
      if (input.value.trim() === '') return undefined;
      try {
        return JSON.parse(input.value);
      } catch {
        errors.push({ path: el.dataset.path, message: 'not valid JSON' });
        return undefined;
      }
    },
  };
}

export function groupControl(field, value, { root = false, item = null } = {}) {
  const object = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : field.default ?? {};
  const children = (field.fields || []).map((child) => ({ name: child.name, control: control(child, object[child.name]) }));
  const body = children.map((child) => child.control.el);
  let el;
  if (root) el = h('div', { class: 'config-fields' }, errorSlot(), body);
  else if (item) el = h('div', { class: 'list-item' }, item, errorSlot(), h('div', { class: 'list-item-fields' }, body));
  else el = h('fieldset', { class: 'field field-group', dataset: { field: field.name } }, h('legend', { text: labelText(field) }), hint(field), errorSlot(), body);
  if (root && children.length === 0) el.append(h('p', { class: 'muted', text: 'This experiment has no configuration.' }));
  return {
    el,
    setPath(path) {
      el.dataset.path = path;
      for (const child of children) child.control.setPath(path ? `${path}.${child.name}` : child.name);
    },
    read(errors) {
      const result = {};
      for (const child of children) {
        const v = child.control.read(errors);
        if (v !== undefined) result[child.name] = v;
      }
      return result;
    },
  };
}

function listControl(field, value) {
  const itemField = { name: field.name, type: 'group', fields: field.fields || [] };
  const items = [];
  const itemsEl = h('div', { class: 'list-items' });
  const emptyNote = h('p', { class: 'muted small list-empty', text: 'No items.' });
  const addButton = h('button', { type: 'button', class: 'btn btn-sm add-item', onclick: () => add({}, true) }, icon('plus'), `Add ${itemNoun(field)}`);
  const el = h('fieldset', { class: 'field field-list', dataset: { field: field.name } }, h('legend', {}, labelText(field), field.required ? h('span', { class: 'required', text: ' *' }) : null), hint(field), errorSlot(), itemsEl, emptyNote, addButton);
  let path = '';

  function add(itemValue, focus = false) {
    const title = h('span', { class: 'item-title' });
    const removeButton = h('button', { type: 'button', class: 'btn btn-sm btn-ghost remove-item', title: 'Remove this item' }, icon('close'), 'Remove');
    const head = h('div', { class: 'item-head' }, title, removeButton);
    const entry = { control: groupControl(itemField, itemValue, { item: head }), title };
    removeButton.addEventListener('click', () => {
      items.splice(items.indexOf(entry), 1);
      entry.control.el.remove();
      renumber();
    });
    items.push(entry);
    itemsEl.append(entry.control.el);
    renumber();
    if (focus) {
      const first = entry.control.el.querySelector('input, select, textarea');
      if (first) first.focus();
    }
  }

  function renumber() {
    items.forEach((entry, i) => {
      entry.title.textContent = `${itemNoun(field, true)} ${i + 1}`;
      entry.control.setPath(`${path}[${i}]`);
    });
    emptyNote.hidden = items.length > 0;
  }

  const initial = Array.isArray(value) ? value : Array.isArray(field.default) ? field.default : field.required ? [{}] : [];
  for (const itemValue of initial) add(itemValue);
  renumber();

  return {
    el,
    setPath(next) {
      path = next;
      el.dataset.path = next;
      renumber();
    },
    read: (errors) => items.map((entry) => entry.control.read(errors)),
  };
}

function itemNoun(field, capital = false) {
  const label = labelText(field);
  const singular = label.replace(/ies$/i, 'y').replace(/s$/i, '');
  const noun = singular.toLowerCase() === label.toLowerCase() ? 'item' : singular.toLowerCase();
  return capital ? noun.charAt(0).toUpperCase() + noun.slice(1) : noun;
}
