export type { EmailErrorCode } from './errors.js';
export { type ActivationEmailMessages, englishMessages } from './messages.js';
export { renderActivationEmail, type RenderActivationEmailOptions } from './renderActivationEmail.js';
export { sendActivationEmail, type SendActivationEmailOptions } from './sendActivationEmail.js';
export type { ActivationForEmail, EmailContent, EmailMessage, EmailTransport, InlineImage, PasswordDelivery, RenderedActivationEmail } from './types.js';
