// workerd entry: a module Worker; the test's config binds it to 127.0.0.1:0.
import { createApp } from './app.js';

const app = createApp();
export default { fetch: (req: Request) => app(req) };
