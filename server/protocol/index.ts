// The wire protocol, imported by the daemon and by the browser client alike.
// It must stay free of Node and DOM imports (client/tsconfig.json checks the first).
export * from './event.js';
export * from './topology.js';
export * from './messages.js';
export * from './failure.js';
export * from './providers.js';
