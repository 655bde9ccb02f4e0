import '@testing-library/jest-dom/vitest';

import { configure } from '@testing-library/react';

// findBy*/waitFor give up after 1 s by default; on a busy CI machine a render can take longer. A wait
// that succeeds returns as soon as it does, so a long limit costs nothing when tests pass.
configure({ asyncUtilTimeout: 15_000 });
