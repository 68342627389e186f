// `@cloudmfa/email/smtp`: the SMTP transport, on nodemailer (an optional peer dependency: the
// renderer at `@cloudmfa/email` runs anywhere, this entry point on Node only).
export { createSmtpTransport, type SmtpTransport, type SmtpTransportOptions } from './createSmtpTransport.js';
