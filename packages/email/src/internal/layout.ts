// One message is a list of blocks; this file draws them as HTML and as plain text, so the two
// parts always say the same thing. Every text goes through `escapeHtml` on the HTML side.
import type { InlineImage } from '../types.js';
import { escapeHtml } from './escape.js';

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'emphasis'; text: string }
  | { kind: 'warning'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'qr'; image: InlineImage; width: number; alt: string; textHint: string }
  | { kind: 'password'; label: string; value: string }
  | { kind: 'steps'; title: string; items: string[] };

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";

function htmlBlock(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p style="margin:0 0 14px">${escapeHtml(b.text)}</p>`;
    case 'emphasis':
      return `<p style="margin:0 0 14px;font-weight:600">${escapeHtml(b.text)}</p>`;
    case 'warning':
      return `<p style="margin:0 0 14px;padding:10px 12px;border-left:4px solid #a4161a;background:#fbeaea">${escapeHtml(b.text)}</p>`;
    case 'note':
      return `<p style="margin:18px 0 0;color:#5b6470;font-size:13px">${escapeHtml(b.text)}</p>`;
    case 'qr':
      return `<p style="margin:0 0 14px;text-align:center"><img src="cid:${escapeHtml(b.image.contentId)}" alt="${escapeHtml(b.alt)}" width="${b.width}" height="${b.width}" style="display:inline-block;max-width:100%;height:auto;image-rendering:pixelated;border:0"></p>`;
    case 'password':
      return `<p style="margin:0 0 4px;font-weight:600">${escapeHtml(b.label)}</p><p style="margin:0 0 14px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:24px;letter-spacing:2px">${escapeHtml(b.value)}</p>`;
    case 'steps':
      return `<h2 style="margin:20px 0 8px;font-size:16px">${escapeHtml(b.title)}</h2><ol style="margin:0 0 14px;padding-left:22px">${b.items
        .map((item) => `<li style="margin:0 0 6px">${escapeHtml(item)}</li>`)
        .join('')}</ol>`;
  }
}

function textBlock(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
    case 'emphasis':
    case 'note':
      return b.text;
    case 'warning':
      return `! ${b.text}`;
    case 'qr':
      return b.textHint;
    case 'password':
      return `${b.label}: ${b.value}`;
    case 'steps':
      return [b.title, ...b.items.map((item, i) => `${i + 1}. ${item}`)].join('\n');
  }
}

/** The HTML document of a message. */
export function renderHtml({ language, title, blocks }: { language: string; title: string; blocks: Block[] }): string {
  return `<!doctype html>
<html lang="${escapeHtml(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7">
<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;color:#1b1f24;${FONT}font-size:15px;line-height:1.45">
${blocks.map(htmlBlock).join('\n')}
</div>
</body></html>
`;
}

/** The plain-text part of a message: blocks separated by a blank line. */
export function renderText(blocks: Block[]): string {
  return `${blocks.map(textBlock).join('\n\n')}\n`;
}
