// A modal confirmation (a <dialog>: Esc closes it).

import { h } from '../dom.js';

/** Asks a question; resolves to true when the user confirms. */
export function confirmDialog({ title, message, confirm = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: 'dialog-title', text: title }),
        h('p', { text: message }),
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { type: 'submit', class: 'btn', value: 'cancel', text: 'Cancel' }),
          h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary', value: 'confirm', text: confirm, dataset: { confirm: '' } }),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[data-confirm]').focus();
  });
}
