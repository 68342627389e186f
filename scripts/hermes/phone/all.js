// Every phone path together (what an authenticator app built on the packages ships).
import './core.js';
import './otp.js';
import './activation.js';
import './push.js';
import './storage.js';
