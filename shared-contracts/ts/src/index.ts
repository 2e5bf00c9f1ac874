// Council wire contract v1. Everything here is generated from the C# records in
// shared-contracts/Council.Contracts (`npm run contracts`); this file only re-exports it.
export * from './generated/contracts.js';
export * from './generated/hub.js';
