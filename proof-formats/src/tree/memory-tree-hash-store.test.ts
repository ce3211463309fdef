import { describeTreeHashStoreContract } from '../testing/tree-hash-store-contract.js';
import { MemoryTreeHashStore } from './memory-tree-hash-store.js';

describeTreeHashStoreContract('MemoryTreeHashStore', { create: () => new MemoryTreeHashStore(), reopen: (store) => store });
