/**
 * Building blocks for mail-client HTML: no tables, no <style> (many clients drop it), every value escaped.
 * Callers pass raw strings; escaping happens here so a template cannot forget it.
 */

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => entities[c] ?? c);

/** Only http(s) links go into an href: a `javascript:` or `data:` URL must never become a button. */
export function safeHref(link: string): string {
  if (!/^https?:\/\//i.test(link)) throw new Error('email links must be http(s) URLs');
  return escapeHtml(link);
}

const style = {
  text: 'margin:0 0 16px;font-size:16px;line-height:24px;color:#1f2937',
  small: 'margin:0 0 16px;font-size:13px;line-height:20px;color:#4b5563',
  code: 'font-family:Consolas,Menlo,monospace;font-size:17px',
  button:
    'display:inline-block;padding:12px 24px;background:#1d4ed8;color:#ffffff;font-size:16px;' +
    'font-weight:bold;text-decoration:none;border-radius:6px',
  body: 'margin:0;padding:24px 12px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif',
  card: 'max-width:560px;margin:0 auto;padding:32px 24px;background:#ffffff;border-radius:8px',
};

const code = (value: string) => `<strong style="${style.code}">${escapeHtml(value)}</strong>`;

export const paragraph = (text: string) => `<p style="${style.text}">${escapeHtml(text)}</p>`;

/** A paragraph with one emphasised value, e.g. the login name. */
export const labelled = (label: string, value: string) =>
  `<p style="${style.text}">${escapeHtml(label)} ${code(value)}</p>`;

export const list = (items: string[]) =>
  `<ul style="${style.text};padding-left:24px">${items.map((item) => `<li style="margin:4px 0">${code(item)}</li>`).join('')}</ul>`;

/** The button, then the raw address for clients that strip styles or block buttons. */
export const button = (label: string, link: string) =>
  `<p style="margin:24px 0"><a href="${safeHref(link)}" style="${style.button}">${escapeHtml(label)}</a></p>` +
  `<p style="${style.small}">If the button does not work, copy this address into your browser:<br>` +
  `<a href="${safeHref(link)}" style="color:#1d4ed8;word-break:break-all">${escapeHtml(link)}</a></p>`;

/** The page around the blocks; `title` is escaped, `blocks` are already-built HTML from this module. */
export const page = (title: string, blocks: string[]) =>
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  `<title>${escapeHtml(title)}</title></head>` +
  `<body style="${style.body}"><div style="${style.card}">${blocks.join('')}</div></body></html>`;
