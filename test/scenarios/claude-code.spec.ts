import { describeAssistantClient } from './assistant-client-suite.js';

// The five reference scenarios through the real Claude Code CLI with a scripted stand-in model; prints the token table.
describeAssistantClient('claude-code');
