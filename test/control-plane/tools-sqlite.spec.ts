import { describeControlPlaneTools } from './tool-suite.js';

describeControlPlaneTools('SQLite', async () => ({ PLANE_STORE: 'sqlite' }));
