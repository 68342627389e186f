// Every findBy*/waitFor waits until the element appears or a minute has passed: a PIN set or an
// unlock runs scrypt, which a loaded machine can slow far past testing-library's 1 s default.
import { configure } from '@testing-library/react-native';

configure({ asyncUtilTimeout: 60_000 });
