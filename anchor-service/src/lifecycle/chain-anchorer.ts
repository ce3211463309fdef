/**
 * The lifecycle of one checkpoint's anchor on one chain: waiting -> pending (signed, persisted, broadcast)
 * -> included -> final, or superseded. Each pass of the loop reads the record from the state store, does at
 * most one outward step, writes the record (compare-and-set) and posts the states the gateway has not seen.
 * Because every pass starts from the stored record, a crash or a kill at any instant resumes where the last
 * write left off; because the transaction is signed and stored before it is broadcast, the resumed worker
 * finds it (by hash and nonce) and rebroadcasts the same bytes instead of anchoring twice.
 *
 * Faults (docs/anchoring.md "Fault handling"): RPC errors and insufficient funds are retried with backoff
 * forever (no job is dropped, the backlog stays in the queue); a transaction pending for `replaceAfterMs` is
 * replaced with the same nonce and fees at least 12.5% higher, within the maximum fee per anchor; an included
 * transaction whose block leaves the canonical chain before finality is rebroadcast (same nonce, same bytes)
 * or, if its nonce went to another transaction, anchored again with a new nonce.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { AnchorChain, ChainReceipt } from '../chain/anchor-chain.js';
import { anchorTransaction, type AnchorSigner } from '../chain/anchor-transaction.js';
import { firstAttemptFees, gasLimitFor, replacementFees } from '../chain/fee-policy.js';
import { confirmationsOf, type FinalityRule } from '../chain/finality-rule.js';
import type { CheckpointJob } from '../checkpoint/checkpoint-job.js';
import { AnchorError, describeError, isAnchorError } from '../errors/anchor-error.js';
import type { AnchorMetrics } from '../metrics/anchor-metrics.js';
import type { AnchorResultSink } from '../results/anchor-result-sink.js';
import { lastBroadcastAttempt, newAnchorRecord, withAttempts, type AnchorAttempt, type AnchorRecord } from '../state/anchor-record.js';
import type { AnchorStateStore } from '../state/anchor-state-store.js';
import { ANCHOR_RESULT_FORMAT } from '@trialgate/proof-formats';
import { resultJobId, unpostedResults } from './anchor-results.js';
import { backoffDelayMs, type BackoffSettings, type Sleep } from './backoff.js';

export interface ChainSettings {
  readonly chainId: number;
  readonly finality: FinalityRule;
  /** The most one anchor may cost, in wei: `gas x maxFeePerGas` of every attempt stays at or below it. */
  readonly maxFeeWei: bigint;
  /** Anchor an origin at most this often on this chain; newer checkpoints supersede the waiting one. */
  readonly minIntervalMs: number;
  /** How often a waiting, pending or included anchor is looked at again. */
  readonly pollIntervalMs: number;
  /** A transaction still pending this long after it was signed is replaced with higher fees. */
  readonly replaceAfterMs: number;
  /** A pending transaction is sent to the node again this often (a node may have dropped it). */
  readonly rebroadcastAfterMs: number;
  readonly backoff: BackoffSettings;
}

export interface ChainAnchorerParameters {
  readonly chain: AnchorChain;
  readonly settings: ChainSettings;
  readonly signer: AnchorSigner;
  readonly store: AnchorStateStore;
  readonly results: AnchorResultSink;
  readonly metrics: AnchorMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
}

export type ChainOutcome =
  | {
      readonly chainId: number;
      readonly state: 'final';
      readonly txHash: `0x${string}`;
      readonly blockNumber: number;
      readonly blockHash: `0x${string}`;
    }
  | { readonly chainId: number; readonly state: 'superseded'; readonly supersededBy: number }
  | { readonly chainId: number; readonly state: 'failed'; readonly error: { readonly code: string; readonly message: string } };

export interface AnchorContext {
  /** When the gateway enqueued the checkpoint (the BullMQ job's timestamp), for the lag metrics. */
  readonly enqueuedAtMs: number;
  readonly signal: AbortSignal;
}

/** After this many RPC failures in a row, the gateway is told (`failed`), while retrying goes on. */
const RPC_FAILURES_BEFORE_REPORTING = 5;

type Step = { readonly kind: 'wait'; readonly ms: number } | { readonly kind: 'done'; readonly outcome: ChainOutcome };

/** Per-run memory that need not survive a crash. */
interface RunState {
  failures: number;
  rpcFailures: number;
  /** The code of the last `failed` result posted in this episode, so each problem is posted once. */
  reportedFailure: string | null;
  /** When the pending anchor's nonce was first seen used with none of its transactions mined. */
  nonceGoneSinceMs: number | null;
  ceilingLogged: boolean;
  /** Whether the gateway has been told of a transaction (a `submitted` result) for the current attempt. */
  submitted: boolean;
}

const CONTINUE: Step = { kind: 'wait', ms: 0 };

export class ChainAnchorer {
  readonly chainId: number;
  readonly #p: ChainAnchorerParameters;
  readonly #log: Logger;
  readonly #chainLabel: { chain_id: string };

  constructor(parameters: ChainAnchorerParameters) {
    this.#p = parameters;
    this.chainId = parameters.settings.chainId;
    this.#log = parameters.logger.child({ component: 'chain-anchorer', chainId: this.chainId });
    this.#chainLabel = { chain_id: String(this.chainId) };
  }

  get address(): `0x${string}` {
    return this.#p.signer.address;
  }

  /** Runs the checkpoint's anchor on this chain to final or superseded (or failed, for a conflicting digest). */
  async anchor(job: CheckpointJob, context: AnchorContext): Promise<ChainOutcome> {
    const log = this.#log.child({ origin: job.origin, treeSize: job.treeSize });
    const run: RunState = { failures: 0, rpcFailures: 0, reportedFailure: null, nonceGoneSinceMs: null, ceilingLogged: false, submitted: false };
    let offered = false;
    for (;;) {
      context.signal.throwIfAborted();
      let waitMs: number;
      try {
        if (!offered) {
          await this.#offer(job);
          offered = true;
        }
        const step = await this.#step(job, context, run, log);
        if (step.kind === 'done') return step.outcome;
        run.failures = 0;
        run.rpcFailures = 0;
        waitMs = step.ms;
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (isAnchorError(error) && error.code === 'E_ANCHORING_DIGEST_CONFLICT') {
          await this.#reportFailure(job, run, error, log);
          return { chainId: this.chainId, state: 'failed', error: describeError(error) };
        }
        waitMs = await this.#onError(job, run, error, log);
      }
      if (waitMs > 0) await this.#p.sleep(waitMs, context.signal);
    }
  }

  async #offer(job: CheckpointJob): Promise<void> {
    const outcome = await this.#p.store.offer(newAnchorRecord(this.chainId, job.origin, job.treeSize, job.digest, this.#p.clock.now()));
    if (outcome.kind === 'conflict') {
      throw new AnchorError(
        'E_ANCHORING_DIGEST_CONFLICT',
        `checkpoint ${job.treeSize} of ${job.origin} was offered before with another digest: two inconsistent checkpoints`,
        { details: { origin: job.origin, treeSize: job.treeSize, digest: job.digest, storedDigest: outcome.record.digest } },
      );
    }
  }

  async #step(job: CheckpointJob, context: AnchorContext, run: RunState, log: Logger): Promise<Step> {
    let record = await this.#p.store.load(this.chainId, job.origin, job.treeSize);
    if (record === null) {
      // Someone removed the record (or Redis lost it): offer again, which also re-raises `newest`.
      await this.#offer(job);
      return CONTINUE;
    }
    if (record.origin !== job.origin || record.digest !== job.digest) {
      throw new AnchorError('E_ANCHORING_STATE', 'the stored anchor record belongs to another checkpoint', {
        details: { origin: job.origin, treeSize: job.treeSize },
      });
    }
    record = await this.#postUnposted(job, record, run, log);
    run.submitted = record.state !== 'waiting' && record.state !== 'superseded' && (record.state !== 'pending' || lastBroadcastAttempt(record) !== undefined);
    switch (record.state) {
      case 'final': {
        const inclusion = record.inclusion;
        if (inclusion === undefined) throw new AnchorError('E_ANCHORING_STATE', 'a final anchor record has no inclusion');
        return {
          kind: 'done',
          outcome: { chainId: this.chainId, state: 'final', txHash: inclusion.txHash, blockNumber: inclusion.blockNumber, blockHash: inclusion.blockHash },
        };
      }
      case 'superseded':
        return { kind: 'done', outcome: { chainId: this.chainId, state: 'superseded', supersededBy: record.supersededBy ?? record.treeSize } };
      case 'waiting':
        return this.#stepWaiting(record, run, log);
      case 'pending':
        return this.#stepPending(record, run, log);
      case 'included':
        return this.#stepIncluded(record, context, log);
    }
  }

  // --- waiting: supersede, respect the interval and the nonce slot, check fees and funds, sign, claim, send.

  async #stepWaiting(record: AnchorRecord, run: RunState, log: Logger): Promise<Step> {
    const { store, chain, signer, settings, clock } = this.#p;
    const newest = (await store.newest(this.chainId, record.origin)) ?? record.treeSize;
    if (newest > record.treeSize) return this.#supersede(record, newest, log);

    // O(1) cost per interval: an origin is anchored at most once per `minIntervalMs` on this chain; checkpoints
    // arriving meanwhile wait, and only the newest of them is sent. A re-anchor (reorg, lost nonce) does not wait.
    if (record.reanchors === 0 && settings.minIntervalMs > 0) {
      const last = await store.lastClaimAtMs(this.chainId, record.origin);
      const remaining = last === null ? 0 : last + settings.minIntervalMs - clock.now();
      if (remaining > 0) return { kind: 'wait', ms: Math.min(remaining, settings.pollIntervalMs) };
    }

    // One transaction of this address in flight at a time: every nonce handed out must be mined before the
    // next is taken, so a stuck or dropped anchor never leaves a gap that blocks the ones after it.
    const address = signer.address;
    const expectedNext = await store.nextNonce(this.chainId, address);
    const minedCount = await chain.getTransactionCount(address, 'latest');
    if (expectedNext !== null && minedCount < expectedNext) return { kind: 'wait', ms: settings.pollIntervalMs };

    const latest = await this.#latestBlock();
    const baseFeePerGas = latest.baseFeePerGas;
    if (baseFeePerGas === null) {
      throw new AnchorError('E_ANCHORING_NO_EIP1559', `chain ${this.chainId} reports no base fee; anchors are EIP-1559 transactions`);
    }
    const gas = gasLimitFor(await chain.estimateGas({ from: address, to: address, data: record.digest }));
    const suggestedTipPerGas = await chain.getMaxPriorityFeePerGas();
    const decision = firstAttemptFees({ baseFeePerGas, suggestedTipPerGas, gas, maxFeeWei: settings.maxFeeWei });
    if (decision.kind === 'ceiling') throw this.#ceilingError(decision.neededPerGas, decision.capPerGas, gas);
    await this.#requireFunds(gas * decision.fees.maxFeePerGas);

    const pendingCount = await chain.getTransactionCount(address, 'pending');
    const nonce = Math.max(expectedNext ?? 0, minedCount, pendingCount);
    const signed = await signer.sign(anchorTransaction({ chainId: this.chainId, from: address, nonce, gas, fees: decision.fees, digest: record.digest }));
    const attempt: AnchorAttempt = {
      hash: signed.hash,
      serialized: signed.serialized,
      gas: gas.toString(),
      maxFeePerGas: decision.fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: decision.fees.maxPriorityFeePerGas.toString(),
      signedAtMs: clock.now(),
    };
    const { inclusion: _inclusion, ...rest } = record;
    const next: AnchorRecord = { ...rest, state: 'pending', from: address, nonce, attempts: [attempt] };
    const claim = await store.claim({ previous: record, next, address, expectedNextNonce: expectedNext, nowMs: clock.now() });
    switch (claim.kind) {
      case 'claimed':
        run.ceilingLogged = false;
        log.info({ nonce, txHash: signed.hash, maxFeePerGas: attempt.maxFeePerGas, gas: attempt.gas }, 'anchor transaction signed and stored');
        await this.#broadcast(claim.record, log);
        return CONTINUE;
      case 'superseded':
        return this.#supersede(record, claim.newest, log);
      case 'nonce-moved':
      case 'record-changed':
        // Another worker took the nonce or moved the record: read again after a short, jittered pause.
        return { kind: 'wait', ms: Math.round(50 + 200 * this.#p.random()) };
    }
  }

  async #supersede(record: AnchorRecord, newest: number, log: Logger): Promise<Step> {
    const updated = await this.#p.store.update(record, { ...record, state: 'superseded', supersededBy: newest });
    if (updated !== null) log.info({ supersededBy: newest }, 'checkpoint superseded by a newer one before it was anchored');
    return CONTINUE;
  }

  // --- pending: find a receipt among the attempts; else rebroadcast, replace when stuck, or re-anchor.

  async #stepPending(record: AnchorRecord, run: RunState, log: Logger): Promise<Step> {
    const { chain, settings, clock } = this.#p;
    for (const attempt of [...record.attempts].reverse()) {
      const receipt = await chain.getReceipt(attempt.hash);
      if (receipt !== null) return this.#onReceipt(record, receipt, log);
    }
    const nonce = record.nonce ?? 0;
    const from = record.from ?? this.address;
    const minedCount = await chain.getTransactionCount(from, 'latest');
    if (minedCount > nonce) {
      // The nonce is used, yet none of our transactions has a receipt: a load-balanced endpoint whose receipt
      // index lags its state, or a transaction this service did not send. Look again one poll later first.
      const now = clock.now();
      if (run.nonceGoneSinceMs === null || now - run.nonceGoneSinceMs < settings.pollIntervalMs) {
        run.nonceGoneSinceMs ??= now;
        return { kind: 'wait', ms: settings.pollIntervalMs };
      }
      // A node that still knows one of our transactions has mined it (or holds it): its receipt will come.
      for (const attempt of record.attempts) {
        if (await chain.hasTransaction(attempt.hash)) return { kind: 'wait', ms: settings.pollIntervalMs };
      }
      run.nonceGoneSinceMs = null;
      this.#p.metrics.failures.inc({ ...this.#chainLabel, code: 'E_ANCHORING_NONCE_CONSUMED' });
      log.warn(
        { err: { code: 'E_ANCHORING_NONCE_CONSUMED', message: 'nonce used by a transaction this service did not send' }, nonce, hashes: record.attempts.map((a) => a.hash) },
        'anchor nonce used by another transaction; anchoring again with a new nonce',
      );
      return this.#reanchor(record);
    }
    run.nonceGoneSinceMs = null;

    const last = record.attempts.at(-1);
    if (last === undefined) throw new AnchorError('E_ANCHORING_STATE', 'a pending anchor record has no attempt');
    const now = clock.now();
    if (now - last.signedAtMs >= settings.replaceAfterMs) return this.#replace(record, last, run, log);
    // Resend when never sent, when due, or when the node no longer knows the transaction (a node restart,
    // or a reorg that dropped its block before we saw the receipt: not every node puts those back).
    if (last.broadcastAtMs === undefined || now - last.broadcastAtMs >= settings.rebroadcastAfterMs || !(await chain.hasTransaction(last.hash))) {
      await this.#broadcast(record, log);
    }
    return { kind: 'wait', ms: settings.pollIntervalMs };
  }

  async #onReceipt(record: AnchorRecord, receipt: ChainReceipt, log: Logger): Promise<Step> {
    if (receipt.status !== 'success') {
      this.#p.metrics.failures.inc({ ...this.#chainLabel, code: 'E_ANCHORING_TX_REVERTED' });
      log.warn({ err: { code: 'E_ANCHORING_TX_REVERTED', message: 'anchor transaction reverted' }, txHash: receipt.transactionHash }, 'anchor transaction reverted; anchoring again');
      return this.#reanchor(record);
    }
    // A receipt from a node that has not caught up with a reorg may name a block that is no longer canonical.
    const block = await this.#p.chain.getBlock(receipt.blockNumber);
    if (block === null || block.hash !== receipt.blockHash) return { kind: 'wait', ms: this.#p.settings.pollIntervalMs };
    const inclusion = { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
    const updated = await this.#p.store.update(record, { ...record, state: 'included', inclusion });
    if (updated !== null) log.info({ txHash: inclusion.txHash, blockNumber: inclusion.blockNumber, nonce: record.nonce }, 'anchor included');
    return CONTINUE;
  }

  async #reanchor(record: AnchorRecord): Promise<Step> {
    const { inclusion: _inclusion, nonce: _nonce, from: _from, ...rest } = record;
    await this.#p.store.update(record, { ...rest, state: 'waiting', attempts: [], reanchors: record.reanchors + 1 });
    return CONTINUE;
  }

  async #replace(record: AnchorRecord, last: AnchorAttempt, run: RunState, log: Logger): Promise<Step> {
    const { chain, settings, signer, clock } = this.#p;
    const latest = await this.#latestBlock();
    const baseFeePerGas = latest.baseFeePerGas ?? 0n;
    const gas = BigInt(last.gas);
    const previous = { maxFeePerGas: BigInt(last.maxFeePerGas), maxPriorityFeePerGas: BigInt(last.maxPriorityFeePerGas) };
    const decision = replacementFees(previous, {
      baseFeePerGas,
      suggestedTipPerGas: await chain.getMaxPriorityFeePerGas(),
      gas,
      maxFeeWei: settings.maxFeeWei,
    });
    if (decision.kind === 'ceiling') {
      // No 12.5% bump fits under the maximum fee per anchor. If the transaction cannot even be included at
      // today's base fee, that is a problem the site must see; otherwise it only waits for a block.
      if (previous.maxFeePerGas < baseFeePerGas) throw this.#ceilingError(baseFeePerGas, decision.capPerGas, gas);
      if (!run.ceilingLogged) {
        run.ceilingLogged = true;
        log.info({ txHash: last.hash, maxFeePerGas: last.maxFeePerGas, capPerGas: decision.capPerGas.toString() }, 'anchor pending at the maximum fee per anchor; not replacing');
      }
      if (last.broadcastAtMs === undefined || clock.now() - last.broadcastAtMs >= settings.rebroadcastAfterMs) await this.#broadcast(record, log);
      return { kind: 'wait', ms: settings.pollIntervalMs };
    }
    await this.#requireFunds(gas * decision.fees.maxFeePerGas);
    const nonce = record.nonce ?? 0;
    const from = record.from ?? signer.address;
    const signed = await signer.sign(anchorTransaction({ chainId: this.chainId, from, nonce, gas, fees: decision.fees, digest: record.digest }));
    const attempt: AnchorAttempt = {
      hash: signed.hash,
      serialized: signed.serialized,
      gas: last.gas,
      maxFeePerGas: decision.fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: decision.fees.maxPriorityFeePerGas.toString(),
      signedAtMs: clock.now(),
    };
    const updated = await this.#p.store.update(record, withAttempts(record, [...record.attempts, attempt]));
    if (updated === null) return CONTINUE;
    this.#p.metrics.replacements.inc(this.#chainLabel);
    log.info(
      {
        nonce,
        previousTxHash: last.hash,
        txHash: attempt.hash,
        maxFeePerGas: attempt.maxFeePerGas,
        maxPriorityFeePerGas: attempt.maxPriorityFeePerGas,
      },
      'anchor transaction stuck; replaced with the same nonce and higher fees',
    );
    await this.#broadcast(updated, log);
    return CONTINUE;
  }

  /** Sends the newest attempt's stored bytes; records when a node accepted (or already knew) them. */
  async #broadcast(record: AnchorRecord, log: Logger): Promise<void> {
    const attempt = record.attempts.at(-1);
    if (attempt?.serialized === undefined) return;
    const outcome = await this.#p.chain.sendRawTransaction(attempt.serialized);
    if (outcome === 'accepted' || outcome === 'already-known') {
      const sent: AnchorAttempt = { ...attempt, broadcastAtMs: this.#p.clock.now() };
      await this.#p.store.update(record, withAttempts(record, [...record.attempts.slice(0, -1), sent]));
      if (attempt.broadcastAtMs === undefined) log.info({ txHash: attempt.hash, nonce: record.nonce, outcome }, 'anchor transaction broadcast');
    } else {
      // nonce-used: one of our attempts (or a stranger's transaction) was mined; the next pass looks at
      // receipts. underpriced: the node holds a pricier transaction of this nonce; replacement follows.
      log.info({ txHash: attempt.hash, nonce: record.nonce, outcome }, 'node did not take the anchor transaction');
    }
  }

  // --- included: follow the block to finality, and notice if it leaves the canonical chain first.

  async #stepIncluded(record: AnchorRecord, context: AnchorContext, log: Logger): Promise<Step> {
    const { chain, settings } = this.#p;
    const inclusion = record.inclusion;
    if (inclusion === undefined) throw new AnchorError('E_ANCHORING_STATE', 'an included anchor record has no inclusion');
    const receipt = await chain.getReceipt(inclusion.txHash);
    if (receipt === null || receipt.blockHash !== inclusion.blockHash) return this.#reorged(record, receipt, log);

    const final = await this.#isFinal(inclusion.blockNumber, settings.finality);
    // Checked after the finality read: a block at or below the finalized one that still has our hash is
    // final; had a reorg happened between the two reads, the hash would differ here.
    const block = await chain.getBlock(inclusion.blockNumber);
    if (block === null || block.hash !== inclusion.blockHash) return this.#reorged(record, null, log);
    if (!final) return { kind: 'wait', ms: settings.pollIntervalMs };

    const now = this.#p.clock.now();
    const updated = await this.#p.store.update(record, withAttempts({ ...record, state: 'final', finalAtMs: now }, record.attempts.map(stripSerialized)));
    if (updated !== null) {
      this.#p.metrics.timeToFinal.observe(this.#chainLabel, Math.max(0, now - context.enqueuedAtMs) / 1000);
      log.info({ txHash: inclusion.txHash, blockNumber: inclusion.blockNumber, blockHash: inclusion.blockHash }, 'anchor final');
    }
    return CONTINUE;
  }

  async #isFinal(blockNumber: number, rule: FinalityRule): Promise<boolean> {
    if (rule.kind === 'finalized') {
      const finalized = await this.#p.chain.getBlock('finalized');
      if (finalized === null) {
        throw new AnchorError('E_ANCHORING_NO_FINALIZED_TAG', `chain ${this.chainId} does not answer the finalized block tag; configure confirmations`);
      }
      return finalized.number >= blockNumber;
    }
    const latest = await this.#latestBlock();
    return confirmationsOf(blockNumber, latest.number) >= rule.confirmations;
  }

  async #reorged(record: AnchorRecord, receipt: ChainReceipt | null, log: Logger): Promise<Step> {
    this.#p.metrics.reorgs.inc(this.#chainLabel);
    const inclusion = record.inclusion;
    if (receipt !== null && receipt.status === 'success') {
      // The same transaction, mined again in another block of the new canonical chain.
      log.warn({ txHash: receipt.transactionHash, previousBlockHash: inclusion?.blockHash, blockNumber: receipt.blockNumber }, 'anchor moved to another block by a reorg');
      const moved = { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash };
      await this.#p.store.update(record, { ...record, inclusion: moved, reorgs: record.reorgs + 1 });
      return CONTINUE;
    }
    log.warn(
      { txHash: inclusion?.txHash, blockNumber: inclusion?.blockNumber, blockHash: inclusion?.blockHash },
      'anchor transaction dropped by a reorg before finality; anchoring it again',
    );
    // Back to pending with the same nonce: the newest attempt's bytes are sent again at once (no broadcast
    // time), and if the nonce has meanwhile gone to another transaction, pending re-anchors with a new one.
    const { inclusion: _inclusion, ...rest } = record;
    const attempts = record.attempts.map((attempt, index) => (index === record.attempts.length - 1 ? withoutBroadcast(attempt) : attempt));
    await this.#p.store.update(record, { ...rest, state: 'pending', attempts, reorgs: record.reorgs + 1 });
    return CONTINUE;
  }

  // --- helpers

  async #latestBlock() {
    const latest = await this.#p.chain.getBlock('latest');
    if (latest === null) throw new AnchorError('E_ANCHORING_RPC', `chain ${this.chainId}: the node returned no latest block`, { details: { method: 'eth_getBlockByNumber' } });
    return latest;
  }

  async #requireFunds(neededWei: bigint): Promise<void> {
    const address = this.#p.signer.address;
    const balance = await this.#p.chain.getBalance(address);
    this.#p.metrics.balance.set({ ...this.#chainLabel, address }, Number(balance));
    if (balance < neededWei) {
      throw new AnchorError(
        'E_ANCHORING_INSUFFICIENT_FUNDS',
        `anchoring address ${address} on chain ${this.chainId} holds ${balance} wei; an anchor may need ${neededWei} wei`,
        { details: { chainId: this.chainId, address, balanceWei: balance.toString(), neededWei: neededWei.toString() } },
      );
    }
  }

  #ceilingError(neededPerGas: bigint, capPerGas: bigint, gas: bigint): AnchorError {
    return new AnchorError(
      'E_ANCHORING_FEE_CEILING',
      `chain ${this.chainId} needs ${neededPerGas} wei/gas; the maximum fee per anchor (${this.#p.settings.maxFeeWei} wei for ${gas} gas) allows ${capPerGas}`,
      { details: { chainId: this.chainId, neededPerGas: neededPerGas.toString(), capPerGas: capPerGas.toString(), maxFeeWei: this.#p.settings.maxFeeWei.toString() } },
    );
  }

  async #postUnposted(job: CheckpointJob, record: AnchorRecord, run: RunState, log: Logger): Promise<AnchorRecord> {
    const pending = unpostedResults(record, this.#p.clock.now());
    if (pending.length === 0) return record;
    for (const { key, result } of pending) {
      await this.#p.results.post(job.resultsQueue, result, resultJobId(record, key));
      this.#p.metrics.results.inc({ ...this.#chainLabel, state: result.state });
      log.debug({ state: result.state, txHash: result.txHash }, 'anchor result posted');
    }
    run.reportedFailure = null;
    const last = pending.at(-1);
    return last === undefined ? record : ((await this.#p.store.update(record, { ...record, posted: last.key })) ?? record);
  }

  async #onError(job: CheckpointJob, run: RunState, error: unknown, log: Logger): Promise<number> {
    run.failures += 1;
    const described = describeError(error);
    const delayMs = backoffDelayMs(this.#p.settings.backoff, run.failures, this.#p.random);
    if (isAnchorError(error) && error.code === 'E_ANCHORING_RPC') {
      run.rpcFailures += 1;
      const method = typeof error.details['method'] === 'string' ? error.details['method'] : 'unknown';
      this.#p.metrics.rpcErrors.inc({ ...this.#chainLabel, method });
      log.warn({ err: described, method, endpoint: this.#p.chain.endpoint, retryInMs: delayMs, failures: run.failures }, 'RPC call failed; retrying with backoff');
      if (run.rpcFailures >= RPC_FAILURES_BEFORE_REPORTING) await this.#reportFailure(job, run, error, log);
      return delayMs;
    }
    if (isAnchorError(error)) {
      this.#p.metrics.failures.inc({ ...this.#chainLabel, code: error.code });
      const level = error.code === 'E_ANCHORING_STATE' ? 'error' : 'warn';
      log[level]({ err: described, details: error.details, retryInMs: delayMs }, 'cannot anchor now; retrying with backoff, the checkpoint stays queued');
      await this.#reportFailure(job, run, error, log);
      return delayMs;
    }
    // Redis unreachable (the state store or the results queue), or a bug: keep the job, retry later.
    this.#p.metrics.failures.inc({ ...this.#chainLabel, code: 'E_ANCHORING_UNEXPECTED' });
    log.error({ err: described, retryInMs: delayMs }, 'anchoring step failed; retrying with backoff');
    return delayMs;
  }

  /**
   * Tells the gateway (`failed`, once per distinct problem) while the service keeps retrying. Only before a
   * transaction was submitted: `failed` means "cannot be anchored now" (contract), and once a transaction is
   * out, a problem following it (an RPC outage) does not undo it; a conflicting digest is always reported.
   */
  async #reportFailure(job: CheckpointJob, run: RunState, error: unknown, log: Logger): Promise<void> {
    const described = describeError(error);
    if (run.reportedFailure === described.code) return;
    if (run.submitted && described.code !== 'E_ANCHORING_DIGEST_CONFLICT') return;
    try {
      const now = this.#p.clock.now();
      await this.#p.results.post(
        job.resultsQueue,
        {
          format: ANCHOR_RESULT_FORMAT,
          origin: job.origin,
          treeSize: job.treeSize,
          digest: job.digest,
          chainId: this.chainId,
          state: 'failed',
          from: this.address,
          error: described,
          observedAtMs: now,
        },
        `${this.chainId}-${job.treeSize}-failed-${described.code}-${now}`,
      );
      run.reportedFailure = described.code;
      this.#p.metrics.results.inc({ ...this.#chainLabel, state: 'failed' });
    } catch (postError) {
      log.debug({ err: describeError(postError) }, 'could not post the failed result; will retry');
    }
  }
}

function stripSerialized(attempt: AnchorAttempt): AnchorAttempt {
  const { serialized: _serialized, ...rest } = attempt;
  return rest;
}

function withoutBroadcast(attempt: AnchorAttempt): AnchorAttempt {
  const { broadcastAtMs: _broadcastAtMs, ...rest } = attempt;
  return rest;
}
