/**
 * The Lua scripts behind `createRedisAnchorStateStore`. Redis runs each atomically, so a check and the write
 * it guards cannot interleave with another worker's: this is what makes several workers on one queue safe
 * (docs/anchoring.md "Running several workers"). Each header documents KEYS and ARGV, as BullMQ's do.
 */

export const OFFER_SCRIPT = `
--[[
  Offers a checkpoint to a chain: creates its anchor record if absent; raises the origin's newest tree size.
  A stored record with another digest is a conflict: nothing is written.
    KEYS[1] record key            ARGV[1] tree size (decimal)
    KEYS[2] newest key            ARGV[2] new record (JSON, state waiting)
                                  ARGV[3] digest (0x lower-case hex)
  Returns { 'offered' | 'conflict', stored record JSON, newest tree size (decimal) }
]]
local stored = redis.call('GET', KEYS[1])
if stored then
  local ok, decoded = pcall(cjson.decode, stored)
  if ok and type(decoded) == 'table' and decoded.digest ~= ARGV[3] then
    return { 'conflict', stored, '' }
  end
else
  redis.call('SET', KEYS[1], ARGV[2])
  stored = ARGV[2]
end
local newest = redis.call('GET', KEYS[2])
if (not newest) or tonumber(newest) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[1])
  newest = ARGV[1]
end
return { 'offered', stored, newest }
`;

export const UPDATE_SCRIPT = `
--[[
  Compare-and-set of an anchor record on its revision.
    KEYS[1] record key            ARGV[1] expected rev (decimal)
                                  ARGV[2] new record (JSON, rev + 1)
  Returns 1 when written, 0 when the stored record is another revision (or gone).
]]
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
local ok, decoded = pcall(cjson.decode, stored)
if (not ok) or type(decoded) ~= 'table' or tostring(decoded.rev) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

export const CLAIM_SCRIPT = `
--[[
  Claims the next nonce of (chain, address) for one anchor record. Written only if the next nonce is still
  the one read before signing (no other worker took it), the record is still the revision read, and no newer
  checkpoint of the origin was offered meanwhile (a newer one supersedes this one instead).
    KEYS[1] nonce key             ARGV[1] expected next nonce (decimal; '' when none stored)
    KEYS[2] record key            ARGV[2] new next nonce (decimal: the claimed nonce + 1)
    KEYS[3] newest key            ARGV[3] expected record rev (decimal)
    KEYS[4] last-claim key        ARGV[4] new record (JSON, state pending, rev + 1)
                                  ARGV[5] tree size (decimal)
                                  ARGV[6] now (ms since the epoch, decimal)
  Returns { 'claimed' | 'nonce-moved' | 'record-changed' | 'superseded', newest tree size or '' }
]]
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return { 'nonce-moved', '' } end
local stored = redis.call('GET', KEYS[2])
if not stored then return { 'record-changed', '' } end
local ok, decoded = pcall(cjson.decode, stored)
if (not ok) or type(decoded) ~= 'table' or tostring(decoded.rev) ~= ARGV[3] then return { 'record-changed', '' } end
local newest = redis.call('GET', KEYS[3])
if newest and tonumber(newest) > tonumber(ARGV[5]) then return { 'superseded', newest } end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[4])
redis.call('SET', KEYS[4], ARGV[6])
return { 'claimed', '' }
`;
