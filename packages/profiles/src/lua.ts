import type { ProfileFormat } from './types.js';

/*
 * One script call applies a chunk of updates from one (topic, partition) together with that
 * partition's watermark, so a replayed or re-delivered message is never applied twice and a crash
 * can never leave updates applied without their watermark (or the reverse).
 *
 * KEYS[1]   watermark hash; KEYS[2..] the profile keys the chunk touches (each once)
 * ARGV[1]   watermark field `topic:partition`, '' for unwatermarked writes (tests, tools)
 * ARGV[2]   offset of the chunk's last message (the watermark afterwards). A chunk covers a range of
 *           offsets and may also carry its users' later updates from the same batch; the profile
 *           records how far those went (`w[topic:partition]`), and later chunks skip them
 * ARGV[3]   profile TTL s, ARGV[4] tombstone TTL s, ARGV[5] half-life ms, ARGV[6] min score
 * ARGV[7]   JSON array of ops {o: offset, k: key index (2-based), t: type, ts, ...}
 * ARGV[8]   last offset of the previous chunk of the same batch, '' for the first chunk: chunks are
 *           pipelined, and one must never advance the watermark past a predecessor not yet applied
 * returns   {applied, skipped}
 *
 * Each touched profile is loaded once, every op is applied to the Lua table, and it is written back
 * once: the work per op does not depend on the Redis layout, only load and store do.
 */
const COMMON_HEAD = `
local wmField = ARGV[1]
local wm = -1
if wmField ~= '' then
  local v = redis.call('HGET', KEYS[1], wmField)
  if v then wm = tonumber(v) end
  if ARGV[8] ~= '' and wm < tonumber(ARGV[8]) then
    return redis.error_reply('OUT_OF_ORDER previous chunk of ' .. wmField .. ' not applied')
  end
end
local ttl = tonumber(ARGV[3])
local tombTtl = tonumber(ARGV[4])
local half = tonumber(ARGV[5])
local minScore = tonumber(ARGV[6])
local ops = cjson.decode(ARGV[7])
local DAY = 86400000
local profiles = {}
local order = {}

local function round6(x) return math.floor(x * 1000000 + 0.5) / 1000000 end
local function decay(score, dt)
  if dt <= 0 then return score end
  return score * 2 ^ (-dt / half)
end
`;

const COMMON_OPS = `
local function get(i)
  local p = profiles[i]
  if p == nil then
    p = load(KEYS[i])
    p.dirty = {}
    profiles[i] = p
    order[#order + 1] = i
  end
  return p
end

-- Combines a stored segment with a signal at ts: 'add' accumulates page views (capped at 1),
-- 'max' takes a provider's assertion if it is stronger. Out-of-order signals decay to the stored time.
local function touchSegment(p, id, value, ts, mode)
  local cur = p.s[id]
  local score, at, incoming = 0, ts, value
  if cur then
    if ts >= cur[2] then
      score = decay(cur[1], ts - cur[2])
    else
      score, at, incoming = cur[1], cur[2], decay(value, cur[2] - ts)
    end
  end
  if mode == 'add' then score = math.min(1, score + incoming) else score = math.max(score, incoming) end
  p.s[id] = {round6(score), at}
  p.dirty['s:' .. id] = true
end

-- Drops segments that decayed below the floor, judged at the op's time so the result does not
-- depend on how messages were batched.
local function prune(p, ts)
  for id, v in pairs(p.s) do
    if decay(v[1], ts - v[2]) < minScore then
      p.s[id] = nil
      p.dirty['s:' .. id] = true
    end
  end
end

local function seen(p, op)
  if op.ts >= p.ls then
    if op.c then p.c = op.c; p.dirty.c = true end
    if op.d then p.d = op.d; p.dirty.d = true end
    p.ls = op.ts
    p.dirty.ls = true
  end
end

local chunkEnd = tonumber(ARGV[2])
local applied, skipped = 0, 0
for _, op in ipairs(ops) do
  local p = nil
  if op.o == nil or op.o > wm then
    p = get(op.k)
    if op.o ~= nil and p.w ~= nil and op.o <= (p.w[wmField] or -1) then p = nil end
  end
  if p == nil then
    skipped = skipped + 1
  else
    if op.o ~= nil and op.o > chunkEnd and p.x == nil then
      p.w = p.w or {}
      p.w[wmField] = op.o
      p.dirty['w:' .. wmField] = true
    end
    if op.t == 'o' then
      profiles[op.k] = {x = op.ts, reset = true, dirty = {}}
    elseif p.x == nil then
      if op.t == 'v' then
        seen(p, op)
        for _, sg in ipairs(op.s) do touchSegment(p, sg[1], sg[2], op.ts, 'add') end
        prune(p, math.max(op.ts, p.ls))
      elseif op.t == 's' then
        for _, sg in ipairs(op.s) do touchSegment(p, sg[1], sg[2], op.ts, 'max') end
        prune(p, math.max(op.ts, p.ls))
      elseif op.t == 'i' then
        seen(p, op)
        local day = math.floor(op.ts / DAY)
        local f = p.f[op.cid]
        if f == nil then f = {day, 1, 1}
        elseif day > f[1] then f = {day, 1, f[3] + 1}
        elseif day == f[1] then f = {day, f[2] + 1, f[3] + 1}
        else f = {f[1], f[2], f[3] + 1} end
        p.f[op.cid] = f
        p.dirty['f:' .. op.cid] = true
      elseif op.t == 'k' then
        seen(p, op)
        p.k = p.k + 1
        p.dirty.k = true
      end
    end
    applied = applied + 1
  end
end

for _, i in ipairs(order) do store(KEYS[i], profiles[i]) end
if wmField ~= '' and tonumber(ARGV[2]) > wm then redis.call('HSET', KEYS[1], wmField, ARGV[2]) end
return {applied, skipped}
`;

const HASH_IO = `
local function load(key)
  local p = {ls = 0, k = 0, s = {}, f = {}}
  local flat = redis.call('HGETALL', key)
  for j = 1, #flat, 2 do
    local name, v = flat[j], flat[j + 1]
    local tag = string.sub(name, 1, 2)
    if tag == 's:' then
      local a, b = string.match(v, '^([^:]*):(.*)$')
      p.s[string.sub(name, 3)] = {tonumber(a), tonumber(b)}
    elseif tag == 'f:' then
      local a, b, c = string.match(v, '^([^:]*):([^:]*):(.*)$')
      p.f[string.sub(name, 3)] = {tonumber(a), tonumber(b), tonumber(c)}
    elseif tag == 'w:' then
      p.w = p.w or {}
      p.w[string.sub(name, 3)] = tonumber(v)
    elseif name == 'ls' then p.ls = tonumber(v)
    elseif name == 'k' then p.k = tonumber(v)
    elseif name == 'd' then p.d = tonumber(v)
    elseif name == 'c' then p.c = v
    elseif name == 'x' then p.x = tonumber(v)
    end
  end
  return p
end

local function fmt(n) return string.format('%.17g', n) end

local function store(key, p)
  if p.reset then
    redis.call('DEL', key)
    redis.call('HSET', key, 'x', fmt(p.x))
    redis.call('EXPIRE', key, tombTtl)
    return
  end
  if p.x ~= nil then return end
  local set, del = {}, {}
  for name in pairs(p.dirty) do
    local tag = string.sub(name, 1, 2)
    local v
    if tag == 's:' then
      local sg = p.s[string.sub(name, 3)]
      if sg then v = fmt(sg[1]) .. ':' .. fmt(sg[2]) end
    elseif tag == 'f:' then
      local f = p.f[string.sub(name, 3)]
      v = fmt(f[1]) .. ':' .. fmt(f[2]) .. ':' .. fmt(f[3])
    elseif tag == 'w:' then v = fmt(p.w[string.sub(name, 3)])
    elseif name == 'c' then v = p.c
    else v = fmt(p[name]) end
    if v == nil then del[#del + 1] = name else set[#set + 1] = name; set[#set + 1] = v end
  end
  if #del > 0 then redis.call('HDEL', key, unpack(del)) end
  if #set > 0 then
    redis.call('HSET', key, unpack(set))
    redis.call('EXPIRE', key, ttl)
  end
end
`;

const BLOB_IO = `
local function load(key)
  local raw = redis.call('GET', key)
  if not raw then return {ls = 0, k = 0, s = {}, f = {}} end
  local p = cjson.decode(raw)
  p.ls = p.ls or 0
  p.k = p.k or 0
  p.s = p.s or {}
  p.f = p.f or {}
  return p
end

local function store(key, p)
  if p.reset then
    redis.call('SET', key, cjson.encode({x = p.x}), 'EX', tombTtl)
    return
  end
  if p.x ~= nil or next(p.dirty) == nil then return end
  redis.call('SET', key, cjson.encode({ls = p.ls, c = p.c, d = p.d, k = p.k, s = p.s, f = p.f, w = p.w}), 'EX', ttl)
end
`;

/** The update script for a storage layout. */
export function updateScript(format: ProfileFormat): string {
  return COMMON_HEAD + (format === 'hash' ? HASH_IO : BLOB_IO) + COMMON_OPS;
}
