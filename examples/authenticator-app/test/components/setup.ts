// Every findBy*/waitFor waits until the element appears or a minute has passed: a PIN set or an
// unlock runs scrypt, which a loaded machine can slow far past testing-library's 1 s default.
import { configure } from '@testing-library/react-native';
import { format } from 'node:util';

configure({ asyncUtilTimeout: 60_000 });

// A state update made while React renders (a screen reading the engine during render, and the
// engine emitting an event on that read) is a bug React only warns about: here it fails the test.
const RENDER_PHASE_UPDATE = [/Cannot update a component .* while rendering a different component/, /Cannot update during an existing state transition/];
let renderPhaseUpdates: string[] = [];
const consoleError = console.error;

beforeEach(() => {
  renderPhaseUpdates = [];
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    const text = format(...args);
    if (RENDER_PHASE_UPDATE.some((re) => re.test(text))) renderPhaseUpdates.push(text.split('\n')[0] ?? text);
    consoleError(...args);
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  if (renderPhaseUpdates.length > 0) throw new Error(`React reported a state update during render:\n${renderPhaseUpdates.join('\n')}`);
});
