// A confirmation for a trader's action, as a modal <dialog>: what will happen, Cancel and the action.
// The dialog stays open while the action is sent; a refusal is shown inside it (the API's code and
// message) so the trader can correct or cancel, and success closes it. Focus starts on the action
// (on Cancel for one that is hard to take back), stays inside while open (the modal dialog's own
// behaviour) and goes back to the control that opened it.

import { ApiError } from '../api.ts';
import type { ActionText } from '../model/desk-actions.ts';
import { h, setText } from './dom.ts';

export type ConfirmResult = { done: false } | { done: true; ok: boolean; text: string };

let serial = 0;

export class ConfirmDialog {
  readonly el: HTMLDialogElement;
  #title: HTMLElement;
  #body: HTMLElement;
  #error: HTMLElement;
  #cancel: HTMLButtonElement;
  #ok: HTMLButtonElement;
  #busy = false;

  constructor() {
    const id = `confirm-${++serial}`;
    this.#title = h('h2', { id: `${id}-title` });
    this.#body = h('div', { id: `${id}-body`, class: 'confirm-body' });
    this.#error = h('p', { class: 'error', role: 'alert' });
    this.#cancel = h('button', { type: 'button', class: 'cancel' }, 'Cancel');
    this.#ok = h('button', { type: 'button', class: 'primary' });
    this.el = h(
      'dialog',
      { class: 'confirm', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-body` },
      this.#title,
      this.#body,
      this.#error,
      h('div', { class: 'actions' }, this.#cancel, this.#ok),
    );
    // Escape cancels, except while the action is in flight (its answer must be seen).
    this.el.addEventListener('cancel', (e) => {
      if (this.#busy) e.preventDefault();
    });
  }

  /**
   * Asks; on confirmation runs `act` and shows a refusal in place. Resolves when the dialog closes:
   * not done (cancelled), or done with the action's result in words.
   */
  ask(text: ActionText, act: () => Promise<{ ok: boolean; text: string }>): Promise<ConfirmResult> {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setText(this.#title, text.title);
    this.#body.replaceChildren(...text.lines.map((l) => h('p', {}, l)));
    setText(this.#error, '');
    setText(this.#ok, text.confirm);
    this.#ok.classList.toggle('danger', text.danger);
    this.#ok.disabled = false;
    this.#cancel.disabled = false;
    if (!this.el.isConnected) document.body.appendChild(this.el);
    this.el.showModal();
    (text.danger ? this.#cancel : this.#ok).focus();

    return new Promise<ConfirmResult>((resolve) => {
      let result: ConfirmResult = { done: false };
      const finish = () => {
        this.#cancel.onclick = this.#ok.onclick = null;
        this.el.onclose = null;
        opener?.focus();
        resolve(result);
      };
      this.el.onclose = finish;
      this.#cancel.onclick = () => this.el.close();
      this.#ok.onclick = async () => {
        this.#busy = true;
        this.#ok.disabled = this.#cancel.disabled = true;
        setText(this.#ok, 'Sending…');
        setText(this.#error, '');
        try {
          const r = await act();
          result = { done: true, ...r };
          this.#busy = false;
          this.el.close();
        } catch (e) {
          this.#busy = false;
          setText(this.#error, refusalText(e));
          setText(this.#ok, 'Try again');
          this.#ok.disabled = this.#cancel.disabled = false;
          this.#cancel.focus();
        }
      };
    });
  }
}

/** A refusal for the trader: the API's message and code, or what went wrong on the way. */
export function refusalText(e: unknown): string {
  if (e instanceof ApiError) return `Refused (${e.code}): ${e.message}`;
  if (e instanceof DOMException && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'No answer in time: the action may or may not have been applied. Check the audit log before trying again.';
  return `Could not send: ${e instanceof Error ? e.message : String(e)}`;
}
