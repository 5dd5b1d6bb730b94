-- bollinger: buys when a stock that touched its lower Bollinger band closes
-- back inside it.
--
-- A bar whose low reaches the lower band (low <= lower) arms the stock; the
-- first bar from then on that closes above its lower band buys, the touching
-- bar itself included (a long lower wick that closes inside). While the closes
-- stay at or under the band the stock stays armed. The signal is used up when
-- it fires, even if the buy is not made (held already, an order working, out of
-- the entry window): the next buy needs a new touch.
--
-- Entry only: pair it with exit strategies (take_profit_stop_loss,
-- trailing_stop, time_exit, eod_liquidation).
--
-- params
--   period       bars of the middle band (SMA) and of the deviation (ta "bb")
--   k            band width in standard deviations
--   amount       won per entry, market order
--   bar_minutes  bar interval the rule runs on: 1, 3, 5, 15 or 60
--   first_entry  KST "HH:MM": no entries on bars starting before ...
--   last_entry   ... or at and after this time
local ta = require "dalbit.ta"

local S = {
  name = "bollinger",
  params = {
    period = 20,
    k = 2.0,
    amount = 1000000,
    bar_minutes = 1,
    first_entry = "09:00",
    last_entry = "15:00",
  },
}

local spec          -- "bb:20:2"
local lower_column  -- the index of bb's "..._lower" output
local first, last   -- the entry window as HHMM
local series = {}   -- code -> { ind = indicator, armed = touched the lower band }
local pending = {}  -- code -> id of our buy still working

local function hhmm(text, key)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  assert(h and tonumber(h) < 24 and tonumber(m) < 60, key .. " must be HH:MM, got " .. tostring(text))
  return tonumber(h) * 100 + tonumber(m)
end

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  spec = string.format("bb:%d:%s", p.period, tostring(p.k))
  for i, column in ipairs(ta.new(spec):columns()) do  -- bad parameters fail here, with ta's message
    if column:match("_lower$") then lower_column = i end
  end
  assert(lower_column, spec .. " has no lower band")
  assert(p.amount > 0, "amount must be positive, got " .. tostring(p.amount))
  first, last = hhmm(p.first_entry, "first_entry"), hhmm(p.last_entry, "last_entry")
  ctx:subscribe({ bars = string.format("%dm", p.bar_minutes) })
  if saved then pending = saved.pending end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

function S.on_bar(ctx, bar)
  local p = ctx.params
  if bar.minutes ~= p.bar_minutes then return end
  local s = series[bar.code]
  if not s then
    s = { ind = ta.new(spec) }
    series[bar.code] = s
  end
  s.ind:update(bar)
  local lower = s.ind:value(lower_column)
  if not lower then return end
  if bar.low <= lower then s.armed = true end
  if not s.armed or bar.close <= lower then return end

  s.armed = false
  if bar.hhmm < first or bar.hhmm >= last or pending[bar.code] or ctx:position(bar.code) then return end
  local reason = string.format("close %d back above lower band %.0f", bar.close, lower)
  local id, veto = ctx:buy(bar.code, { amount = p.amount, reason = reason })
  if id then
    pending[bar.code] = id
  else
    ctx:log("%s: %s, buy refused: %s", bar.code, reason, veto)
  end
end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
  end
end

function S.on_reload() return { pending = pending } end

return S
