/**
 * `@trialgate/proof-formats/testing`: test helpers other packages reuse. Imports vitest, so it is for test
 * files only, never for production code.
 */
export { describeTreeHashStoreContract, type TreeHashStoreContractOptions } from './tree-hash-store-contract.js';
export {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceLeafHash,
  referenceRoot,
} from './reference-merkle-tree.js';
