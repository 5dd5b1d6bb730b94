-- chaikin: buys when the Chaikin oscillator (EMA fast minus EMA slow of the
-- accumulation/distribution line) crosses above 0: at or under 0 on the bar
-- before, above 0 on this one.
--
-- Entry only: pair it with exit strategies (take_profit_stop_loss,
-- trailing_stop, time_exit, eod_liquidation). The cross is one bar, so a
-- stock that stays above 0 buys once. No entry while the stock is held or an
-- order for it works.
--
-- params
--   fast, slow   EMA periods of the oscillator (ta "chaikin")
--   amount       won per entry, market order
--   bar_minutes  bar interval the rule runs on: 1, 3, 5, 15 or 60
--   first_entry  KST "HH:MM": no entries on bars starting before ...
--   last_entry   ... or at and after this time
local ta = require "dalbit.ta"

local S = {
  name = "chaikin",
  params = {
    fast = 3,
    slow = 10,
    amount = 1000000,
    bar_minutes = 1,
    first_entry = "09:00",
    last_entry = "15:00",
  },
}

local spec          -- "chaikin:3:10"
local first, last   -- the entry window as HHMM
local series = {}   -- code -> { ind = indicator, before = last bar's oscillator }
local pending = {}  -- code -> id of our buy still working

local function hhmm(text, key)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  assert(h and tonumber(h) < 24 and tonumber(m) < 60, key .. " must be HH:MM, got " .. tostring(text))
  return tonumber(h) * 100 + tonumber(m)
end

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  spec = string.format("chaikin:%d:%d", p.fast, p.slow)
  ta.new(spec)  -- bad periods fail here, with the indicator's message
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
  local osc, before = s.ind:value(), s.before
  s.before = osc
  if not (osc and before) or before > 0 or osc <= 0 then return end
  if bar.hhmm < first or bar.hhmm >= last or pending[bar.code] or ctx:position(bar.code) then return end
  local reason = string.format("chaikin crossed above 0 (%.0f -> %.0f)", before, osc)
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
