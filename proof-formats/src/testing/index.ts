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
export { makeSampleBundle, type SampleBundle, type SampleBundleOptions } from './sample-bundle.js';
export {
  CT_CONSISTENCY_PROOFS,
  CT_EMPTY_ROOT_HEX,
  CT_INCLUSION_PROOFS,
  CT_LEAVES_HEX,
  CT_ROOTS_HEX,
} from './ct-known-answers.js';
export { startLocalAnvil, type LocalAnvil, type LocalAnvilAccount, type StartLocalAnvilOptions } from './anvil-process.js';
