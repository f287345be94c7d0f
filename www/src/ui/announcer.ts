// The ARIA live region: suspensions, reopenings and bet decisions are spoken as they happen.

export class Announcer {
  #assertive: HTMLElement;
  #polite: HTMLElement;

  constructor(assertive: HTMLElement, polite: HTMLElement) {
    this.#assertive = assertive;
    this.#polite = polite;
  }

  /** Urgent: a suspension, a rejected bet. */
  alert(text: string): void {
    this.#say(this.#assertive, text);
  }

  /** News that can wait for a pause: reopened markets, an accepted bet. */
  say(text: string): void {
    this.#say(this.#polite, text);
  }

  #say(el: HTMLElement, text: string): void {
    // Same text twice in a row is still announced: clear, then set a moment later.
    el.textContent = '';
    setTimeout(() => {
      el.textContent = text;
    }, 30);
  }
}
