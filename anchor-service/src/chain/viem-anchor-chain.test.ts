import { describe, expect, it } from 'vitest';
import { classifyBroadcastError, redactUrl } from './viem-anchor-chain.js';

describe('viem anchor chain helpers', () => {
  it.each([
    ['transaction already imported', 'already-known'],
    ['already known', 'already-known'],
    ['nonce too low', 'nonce-used'],
    ['replacement transaction underpriced', 'underpriced'],
    ['insufficient funds for gas * price + value', null],
    ['max fee per gas less than block base fee', null],
  ])('classifies the node message "%s"', (message, outcome) => {
    expect(classifyBroadcastError(message)).toBe(outcome);
  });

  it('logs RPC endpoints without the API key in their path or query', () => {
    expect(redactUrl('https://eth-sepolia.g.alchemy.com/v2/SECRETKEY')).toBe('https://eth-sepolia.g.alchemy.com/…');
    expect(redactUrl('https://user:pass@rpc.example:8545/?key=SECRET')).toBe('https://rpc.example:8545');
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });
});
