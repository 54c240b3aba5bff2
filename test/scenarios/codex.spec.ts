import { describeAssistantClient } from './assistant-client-suite.js';

// The five reference scenarios through the real Codex CLI with a scripted stand-in model (Responses API); prints the token table.
describeAssistantClient('codex');
