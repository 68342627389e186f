// A logged-in page with the standard layout and headers.
import { layout } from '../html.mjs';
import { html } from './http.mjs';

/**
 * @param {{ issuer: string }} ctx
 * @param {string} title
 * @param {string} body
 * @param {object} session
 * @param {{ refreshSeconds?: number }} [extra]
 */
export const page = (ctx, title, body, session, extra = {}) => html(200, layout({ title, body, session, issuer: ctx.issuer, ...extra }));
