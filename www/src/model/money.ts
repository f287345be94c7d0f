// Stakes. The engine counts money in integer minor units (pence); the bettor types major units
// ("5", "2.50"). What a stake returns is the engine's to say (`payout` and `netWin` from
// @inplay/engine): the page only reads and writes amounts, it never multiplies or divides them.

export const CURRENCY = 'GBP';
const format = new Intl.NumberFormat('en-GB', { style: 'currency', currency: CURRENCY });

/** `£12.50` from 1250; `-£3.00` from -300 (a correction that claws back). */
export function formatMoney(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const units = Math.abs(minor);
  const pence = units % 100;
  // Intl reads a decimal string exactly: the pounds and pence split in integers, never `minor / 100`.
  const decimal = `${sign}${(units - pence) / 100}.${String(pence).padStart(2, '0')}`;
  return format.format(decimal as Intl.StringNumericLiteral);
}

export type StakeParse = { ok: true; minor: number } | { ok: false; message: string };

/** A typed stake in major units → minor units; at most two decimals, no signs or exponents. */
export function parseStake(text: string): StakeParse {
  const t = text.trim().replace(/^£/, '').replace(/,/g, '');
  if (t === '') return { ok: false, message: 'Enter a stake' };
  if (!/^\d{0,9}(\.\d{0,2})?$/.test(t) || t === '.') {
    return { ok: false, message: /\.\d{3,}$/.test(t) ? 'Use at most two decimal places' : 'Enter a stake like 5 or 2.50' };
  }
  const [whole = '0', frac = ''] = t.split('.');
  const minor = Number(whole || '0') * 100 + Number((frac + '00').slice(0, 2));
  if (minor <= 0) return { ok: false, message: 'Enter a stake above zero' };
  return { ok: true, minor };
}
