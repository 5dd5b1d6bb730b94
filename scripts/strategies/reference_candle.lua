-- reference_candle: 기준봉 breakout. A rising bar on heavy volume becomes the
-- stock's reference; a later bar that closes above the reference's high buys.
--
-- A reference is a bar with volume of at least volume_ratio times the average
-- of the volume_period bars before it and a body of at least min_body_pct
-- (close over open). It stays valid for valid_bars bars after it; a newer
-- reference replaces it. The first close above its high within that span buys
-- and uses the reference up (held already, an order working or out of the
-- entry window: used up all the same), so one reference buys at most once.
--
-- Entry only: pair it with exit strategies (take_profit_stop_loss,
-- trailing_stop, time_exit, eod_liquidation).
--
-- params
--   volume_ratio   a reference's volume is at least this times the average
--   volume_period  bars in that average (ta "volma"), the reference excluded
--   min_body_pct   a reference closes at least this percent over its open
--   valid_bars     bars after the reference during which a break buys
--   amount         won per entry, market order
--   bar_minutes    bar interval the rule runs on: 1, 3, 5, 15 or 60
--   first_entry    KST "HH:MM": no entries on bars starting before ...
--   last_entry     ... or at and after this time
local ta = require "dalbit.ta"

local S = {
  name = "reference_candle",
  params = {
    volume_ratio = 3.0,
    volume_period = 20,
    min_body_pct = 1.0,
    valid_bars = 10,
    amount = 1000000,
    bar_minutes = 1,
    first_entry = "09:00",
    last_entry = "15:00",
  },
}

local spec          -- "volma:20"
local first, last   -- the entry window as HHMM
local series = {}   -- code -> { ind = volume average, ref = { high, time, left = bars it stays valid } }
local pending = {}  -- code -> id of our buy still working

local function hhmm(text, key)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  assert(h and tonumber(h) < 24 and tonumber(m) < 60, key .. " must be HH:MM, got " .. tostring(text))
  return tonumber(h) * 100 + tonumber(m)
end

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  spec = string.format("volma:%d", p.volume_period)
  ta.new(spec)  -- a bad period fails here, with the indicator's message
  assert(p.volume_ratio > 0, "volume_ratio must be positive, got " .. tostring(p.volume_ratio))
  assert(p.valid_bars >= 1, "valid_bars must be at least 1, got " .. tostring(p.valid_bars))
  assert(p.amount > 0, "amount must be positive, got " .. tostring(p.amount))
  first, last = hhmm(p.first_entry, "first_entry"), hhmm(p.last_entry, "last_entry")
  ctx:subscribe({ bars = string.format("%dm", p.bar_minutes) })
  if saved then pending = saved.pending end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

local function is_reference(p, bar, average)
  return average and average > 0 and bar.open > 0 and bar.volume >= p.volume_ratio * average
      and bar.close >= bar.open * (1 + p.min_body_pct / 100)
end

function S.on_bar(ctx, bar)
  local p = ctx.params
  if bar.minutes ~= p.bar_minutes then return end
  local s = series[bar.code]
  if not s then
    s = { ind = ta.new(spec) }
    series[bar.code] = s
  end
  local average = s.ind:value()  -- the bars before this one
  s.ind:update(bar)

  local ref = s.ref
  if is_reference(p, bar, average) then
    s.ref = { high = bar.high, hhmm = bar.hhmm, left = p.valid_bars }
    ctx:log("%s: reference %02d:%02d high %d, volume %.1fx", bar.code, math.floor(bar.hhmm / 100), bar.hhmm % 100,
            bar.high, bar.volume / average)
    return
  end
  if not ref then return end
  ref.left = ref.left - 1
  if ref.left < 0 then
    s.ref = nil
    return
  end
  if bar.close <= ref.high then return end

  s.ref = nil
  if bar.hhmm < first or bar.hhmm >= last or pending[bar.code] or ctx:position(bar.code) then return end
  local reason = string.format("close %d broke reference %02d:%02d high %d", bar.close,
                               math.floor(ref.hhmm / 100), ref.hhmm % 100, ref.high)
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
