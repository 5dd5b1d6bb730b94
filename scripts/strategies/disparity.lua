-- disparity: buys a stock whose close falls below buy_below percent of its
-- `period`-bar simple moving average (이격도, close / SMA x 100), and sells what
-- it bought once the disparity rises above sell_above.
--
-- The buy fires on the bar where the disparity crosses below buy_below (it was
-- at or above it on the bar before), so a stock that stays low buys once. The
-- sell is for holdings this strategy bought (seen in its own buy fills since it
-- started); other holdings are left to the exit strategies. No order while one
-- for the stock works.
--
-- params
--   period       bars of the moving average (ta "disparity")
--   buy_below    buy when the disparity crosses below this, percent
--   sell_above   sell our holding when the disparity is above this, percent
--   amount       won per entry, market order
--   bar_minutes  bar interval the rule runs on: 1, 3, 5, 15 or 60
--   first_entry  KST "HH:MM": no entries on bars starting before ...
--   last_entry   ... or at and after this time (sells run all day)
local ta = require "dalbit.ta"

local S = {
  name = "disparity",
  params = {
    period = 20,
    buy_below = 95.0,
    sell_above = 105.0,
    amount = 1000000,
    bar_minutes = 1,
    first_entry = "09:00",
    last_entry = "15:00",
  },
}

local spec          -- "disparity:20"
local first, last   -- the entry window as HHMM
local series = {}   -- code -> { ind = indicator, before = last bar's disparity }
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
  spec = string.format("disparity:%d", p.period)
  ta.new(spec)  -- a bad period fails here, with the indicator's message
  assert(p.buy_below < p.sell_above, "buy_below must be under sell_above")
  assert(p.amount > 0, "amount must be positive, got " .. tostring(p.amount))
  first, last = hhmm(p.first_entry, "first_entry"), hhmm(p.last_entry, "last_entry")
  ctx:subscribe({ bars = string.format("%dm", p.bar_minutes) })
  if saved then pending, ours = saved.pending, saved.ours end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

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
    s = { ind = ta.new(spec) }
    series[bar.code] = s
  end
  s.ind:update(bar)
  local now, before = s.ind:value(), s.before
  s.before = now
  if not now or pending[bar.code] then return end

  local pos = ctx:position(bar.code)
  if not pos then ours[bar.code] = nil end
  if pos then
    if ours[bar.code] and now > p.sell_above then
      order(ctx, bar.code, "sell", { reason = string.format("disparity %.2f above %.2f", now, p.sell_above) })
    end
  elseif before and before >= p.buy_below and now < p.buy_below and bar.hhmm >= first and bar.hhmm < last then
    order(ctx, bar.code, "buy", { amount = p.amount,
                                  reason = string.format("disparity %.2f below %.2f", now, p.buy_below) })
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
