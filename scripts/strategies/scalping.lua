-- scalping: short trades on tick momentum. Buys when the price has risen
-- entry_rise_pct over the last window_seconds on at least min_ticks trades,
-- then sells what it bought at a small profit, a tight stop, or after
-- max_hold_seconds, whichever comes first.
--
-- Ticks only: in a bar-only backtest it does nothing. The rise is the last
-- price over the oldest price still inside the window. The entry fires on the
-- tick where the rule starts to hold (it did not on the tick before), so a rise
-- that goes on buys once. Exits are for holdings this strategy bought (seen in
-- its own buy fills since it started), at market, measured against the
-- holding's average price and opening time. No order while one for the stock
-- works.
--
-- params
--   window_seconds    the span the rise is measured over
--   entry_rise_pct    minimum rise over the window, percent
--   min_ticks         minimum trades inside the window
--   amount            won per entry, market order
--   take_profit_pct   sell at average x (1 + x / 100) or above
--   stop_loss_pct     sell at average x (1 - x / 100) or below
--   max_hold_seconds  sell once held this long
--   first_entry       KST "HH:MM": no entries on ticks before ...
--   last_entry        ... or at and after this time (exits run all day)
local S = {
  name = "scalping",
  params = {
    window_seconds = 30,
    entry_rise_pct = 0.5,
    min_ticks = 10,
    amount = 500000,
    take_profit_pct = 0.6,
    stop_loss_pct = 0.3,
    max_hold_seconds = 180,
    first_entry = "09:05",
    last_entry = "15:00",
  },
}

local first, last   -- the entry window as HHMM
local windows = {}  -- code -> { times = {}, prices = {}, head, tail, rising = the rule held on the tick before }
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
  assert(p.window_seconds > 0, "window_seconds must be positive, got " .. tostring(p.window_seconds))
  assert(p.entry_rise_pct > 0, "entry_rise_pct must be positive, got " .. tostring(p.entry_rise_pct))
  assert(p.take_profit_pct > 0, "take_profit_pct must be positive, got " .. tostring(p.take_profit_pct))
  assert(p.stop_loss_pct > 0, "stop_loss_pct must be positive, got " .. tostring(p.stop_loss_pct))
  assert(p.max_hold_seconds > 0, "max_hold_seconds must be positive, got " .. tostring(p.max_hold_seconds))
  assert(p.amount > 0, "amount must be positive, got " .. tostring(p.amount))
  first, last = hhmm(p.first_entry, "first_entry"), hhmm(p.last_entry, "last_entry")
  if saved then pending, ours = saved.pending, saved.ours end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

-- Adds a trade to the code's window, drops those older than the span, and
-- returns the window. Slots are reused: head..tail are live.
local function slide(code, time, price, span)
  local w = windows[code]
  if not w then
    w = { times = {}, prices = {}, head = 1, tail = 0 }
    windows[code] = w
  end
  w.tail = w.tail + 1
  w.times[w.tail], w.prices[w.tail] = time, price
  while w.times[w.head] < time - span do
    w.times[w.head], w.prices[w.head] = nil, nil
    w.head = w.head + 1
  end
  return w
end

local function order(ctx, code, side, opts)
  local id, veto = ctx[side](ctx, code, opts)
  if id then
    pending[code] = id
  else
    ctx:log("%s: %s, %s refused: %s", code, opts.reason, side, veto)
  end
end

-- Percent thresholds compared as change x 100 against pct x average: exact
-- for integer prices and the usual percentages.
local function exit_reason(p, pos, price, time)
  local change = price - pos.avg_price
  local pct = change / pos.avg_price * 100  -- for the reason only
  if change * 100 >= p.take_profit_pct * pos.avg_price then
    return string.format("scalp take profit %+.2f%%", pct)
  elseif change * 100 <= -p.stop_loss_pct * pos.avg_price then
    return string.format("scalp stop %+.2f%%", pct)
  elseif pos.opened and time - pos.opened >= p.max_hold_seconds then
    return string.format("scalp held %ds", math.floor(time - pos.opened))
  end
end

function S.on_tick(ctx, t)
  local p = ctx.params
  if not t.price or t.price <= 0 then return end
  local w = slide(t.code, t.time, t.price, p.window_seconds)
  local oldest = w.prices[w.head]
  local rise = (t.price - oldest) / oldest * 100  -- for the reason
  local rising = (t.price - oldest) * 100 >= p.entry_rise_pct * oldest and w.tail - w.head + 1 >= p.min_ticks
  local starts = rising and not w.rising
  w.rising = rising
  if pending[t.code] then return end

  local pos = ctx:position(t.code)
  if not pos then ours[t.code] = nil end
  if pos then
    local reason = ours[t.code] and pos.avg_price > 0 and exit_reason(p, pos, t.price, t.time)
    if reason then order(ctx, t.code, "sell", { reason = reason }) end
  elseif starts and t.hhmm >= first and t.hhmm < last then
    order(ctx, t.code, "buy", { amount = p.amount,
                                reason = string.format("tick rise %+.2f%% in %ds", rise, p.window_seconds) })
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
