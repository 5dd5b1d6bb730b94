-- rsi_volume: buys when the RSI turns up from below buy_below on a bar whose
-- volume is over volume_ratio times its weighted average, and sells what it
-- bought when the RSI turns down from above sell_above.
--
-- "Turns up": the bar before had RSI < buy_below and this bar's RSI is higher.
-- "Turns down": the bar before had RSI > sell_above and this bar's is lower.
-- The volume average is linearly weighted (the newest bar heaviest) over the
-- volume_period bars before this one, so the spike is measured against what
-- came before it. The sell is for holdings this strategy bought (seen in its
-- own buy fills since it started); other holdings are left to the exit
-- strategies. No order while one for the stock works.
--
-- params
--   period         RSI period (ta "rsi", Wilder)
--   buy_below      oversold level the RSI turns up from
--   sell_above     overbought level the RSI turns down from
--   volume_ratio   this bar's volume must exceed this times the average
--   volume_period  bars in the weighted volume average
--   amount         won per entry, market order
--   bar_minutes    bar interval the rule runs on: 1, 3, 5, 15 or 60
--   first_entry    KST "HH:MM": no entries on bars starting before ...
--   last_entry     ... or at and after this time (sells run all day)
local ta = require "dalbit.ta"

local S = {
  name = "rsi_volume",
  params = {
    period = 14,
    buy_below = 30.0,
    sell_above = 70.0,
    volume_ratio = 1.5,
    volume_period = 20,
    amount = 1000000,
    bar_minutes = 1,
    first_entry = "09:00",
    last_entry = "15:00",
  },
}

local spec          -- "rsi:14"
local first, last   -- the entry window as HHMM
local series = {}   -- code -> { ind, rsi = last bar's RSI, volumes = ring of the last volumes, n = count }
local pending = {}  -- code -> id of our order still working
local ours = {}     -- code -> true while we hold what our buys bought

local function hhmm(text, key)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  assert(h and tonumber(h) < 24 and tonumber(m) < 60, key .. " must be HH:MM, got " .. tostring(text))
  return tonumber(h) * 100 + tonumber(m)
end

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  spec = string.format("rsi:%d", p.period)
  ta.new(spec)  -- a bad period fails here, with the indicator's message
  assert(p.buy_below < p.sell_above, "buy_below must be under sell_above")
  assert(p.volume_period >= 1 and p.volume_period <= 1000 and p.volume_period % 1 == 0,
         "volume_period must be a whole number from 1 to 1000, got " .. tostring(p.volume_period))
  assert(p.amount > 0, "amount must be positive, got " .. tostring(p.amount))
  first, last = hhmm(p.first_entry, "first_entry"), hhmm(p.last_entry, "last_entry")
  ctx:subscribe({ bars = string.format("%dm", p.bar_minutes) })
  if saved then pending, ours = saved.pending, saved.ours end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

-- Weighted average of the last `period` volumes of `s` (weights 1..period,
-- oldest to newest); nil until that many bars have been seen.
local function weighted_volume(s, period)
  if s.n < period then return nil end
  local sum, weights = 0, 0
  for w = 1, period do
    sum = sum + w * s.volumes[(s.n - period + w) % period]
    weights = weights + w
  end
  return sum / weights
end

local function order(ctx, code, side, opts)
  local id, veto = ctx[side](ctx, code, opts)
  if id then
    pending[code] = id
  else
    ctx:log("%s: %s, %s refused: %s", code, opts.reason, side, veto)
  end
end

function S.on_bar(ctx, bar)
  local p = ctx.params
  if bar.minutes ~= p.bar_minutes then return end
  local s = series[bar.code]
  if not s then
    s = { ind = ta.new(spec), volumes = {}, n = 0 }
    series[bar.code] = s
  end
  local average = weighted_volume(s, p.volume_period)
  s.n = s.n + 1
  s.volumes[s.n % p.volume_period] = bar.volume
  s.ind:update(bar)
  local rsi, before = s.ind:value(), s.rsi
  s.rsi = rsi
  if not (rsi and before) or pending[bar.code] then return end

  local pos = ctx:position(bar.code)
  if not pos then ours[bar.code] = nil end
  if pos then
    if ours[bar.code] and before > p.sell_above and rsi < before then
      order(ctx, bar.code, "sell", { reason = string.format("rsi %.1f turned down from %.1f", rsi, before) })
    end
  elseif before < p.buy_below and rsi > before and average and average > 0 and bar.volume > p.volume_ratio * average
      and bar.hhmm >= first and bar.hhmm < last then
    order(ctx, bar.code, "buy", {
      amount = p.amount,
      reason = string.format("rsi %.1f turned up from %.1f, volume %.1fx", rsi, before, bar.volume / average),
    })
  end
end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
  end
end

function S.on_fill(ctx, f)
  if f.side == "buy" then ours[f.code] = true end
end

function S.on_reload() return { pending = pending, ours = ours } end

return S
