import { describeAnchorStateStoreContract } from './anchor-state-store.contract.js';
import { createMemoryAnchorStateStore } from './memory-anchor-state-store.js';

describeAnchorStateStoreContract('memory', () => createMemoryAnchorStateStore());
