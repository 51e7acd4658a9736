// The web store's Lua scripts: each change that must be seen whole is one script.
import type { ConsoleEntry } from './entry.ts';

/**
 * Appends once per delivery id: a retried outbox job finds its marker and gets the first id back.
 * Refuses (nil) to open a channel beyond the limit, when one is given. An entry about an earlier
 * one (a reply in its thread, or a new version of it) is listed under it, so its thread can be
 * read whole; a reply is numbered and counted in its thread's summary, and a new version of a
 * message carries that summary to the browsers.
 * KEYS: stream, channel set, delivery marker, the listed entries about the earlier one, its
 * thread's summary. ARGV: entry JSON, channel, events channel, history length, marker TTL,
 * has-marker flag, channel limit (0: none), what the entry is ('reply', 'version', 'about' or ''),
 * its time, the thread keys' TTL.
 */
export const APPEND = `
if ARGV[7] ~= '0' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0
  and redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[7]) then
  return false
end
if ARGV[6] == '1' then
  local existing = redis.call('GET', KEYS[3])
  if existing then return existing end
end
local event = { channel = ARGV[2], entry = ARGV[1] }
local id
if ARGV[8] == 'reply' then
  local n = redis.call('HINCRBY', KEYS[5], 'count', 1)
  redis.call('HSET', KEYS[5], 'latestAt', ARGV[9])
  redis.call('EXPIRE', KEYS[5], ARGV[10])
  event.reply = n
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'entry', ARGV[1], 'reply', n)
else
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'entry', ARGV[1])
end
if ARGV[8] == 'version' then
  local summary = redis.call('HMGET', KEYS[5], 'count', 'latestAt')
  if summary[1] and summary[2] then
    event.count = tonumber(summary[1])
    event.latestAt = summary[2]
  end
end
if ARGV[8] ~= '' then
  redis.call('RPUSH', KEYS[4], id)
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[4]), -1)
  redis.call('EXPIRE', KEYS[4], ARGV[10])
end
redis.call('SADD', KEYS[2], ARGV[2])
if ARGV[6] == '1' then redis.call('SET', KEYS[3], id, 'EX', ARGV[5]) end
event.id = id
redis.call('PUBLISH', ARGV[3], cjson.encode(event))
return id
`;

/**
 * Beside each replace key, the version its message shows (an older one arriving late is dropped)
 * and the thread it was first posted in (its later versions stay there).
 */
export const VERSION_SUFFIX = '#version';
export const THREAD_SUFFIX = '#thread';
export const SET_KEYED = `
redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2])
if ARGV[6] ~= '' then redis.call('hsetnx', KEYS[1], ARGV[7], ARGV[6]) end
local shown = tonumber(redis.call('hget', KEYS[1], ARGV[3]) or '-1')
if tonumber(ARGV[4]) > shown then redis.call('hset', KEYS[1], ARGV[3], ARGV[4]) end
redis.call('expire', KEYS[1], ARGV[5])
`;

/**
 * What an entry is to the message it is about, for the append script: a new reply in its thread,
 * a new version of a message in the channel, a new version of a reply, or about nothing earlier.
 */
export function relation(entry: ConsoleEntry): 'reply' | 'version' | 'about' | '' {
  if (entry.thread !== undefined) return entry.replaces === undefined ? 'reply' : 'about';
  return entry.replaces === undefined ? '' : 'version';
}
