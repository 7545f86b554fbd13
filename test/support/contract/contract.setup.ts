import { afterEach } from 'vitest';
import { takeContractDifferences } from './svix-contract.js';

// Every test that made an in-process dispatcher answer outside Svix's published shapes fails here.
afterEach(() => {
  const differences = takeContractDifferences();
  if (differences.length > 0) throw new Error(`responses that differ from Svix's document:\n${differences.join('\n')}`);
});
