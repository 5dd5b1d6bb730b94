-- momentum_tpsl: buy a stock whose 1-minute close rose at least entry_rise_pct
-- over the last lookback_bars bars, then take profit or stop the loss on it.
--
-- Exits are checked on every bar against the position's average price (fees
-- excluded, as the broker shows it). Entries stop at last_entry (KST HH:MM);
-- the engine's hard limits (max order value, positions, cash, trading window)
-- still apply to every order this script asks for.
local S = {
  name = "momentum_tpsl",
  params = {
    lookback_bars = 5,      -- bars between the two closes compared
    entry_rise_pct = 0.8,   -- minimum rise over that span, percent
    budget = 1000000,       -- won per entry
    take_profit_pct = 1.5,  -- sell all at +x % over the average price
    stop_loss_pct = 1.0,    -- sell all at -x % under it
    last_entry = "14:30",   -- no new entries from this KST time on
  },
}

local closes = {}   -- code -> ring of recent closes
local pending = {}  -- code -> true while an order for it works

local function hhmm(text)
  local h, m = text:match("^(%d%d):(%d%d)$")
  assert(h, "last_entry must be HH:MM, got " .. tostring(text))
  return tonumber(h) * 100 + tonumber(m)
end

local last_entry

function S.on_init(ctx)
  last_entry = hhmm(ctx.params.last_entry)
end

local function remember(code, close, keep)
  local ring = closes[code]
  if not ring then
    ring = { n = 0 }
    closes[code] = ring
  end
  ring.n = ring.n + 1
  ring[ring.n % keep] = close
  return ring
end

function S.on_bar(ctx, bar)
  local p = ctx.params
  local keep = p.lookback_bars + 1
  local ring = remember(bar.code, bar.close, keep)
  if pending[bar.code] then return end

  local pos = ctx:position(bar.code)
  if pos then
    local change = (bar.close - pos.avg_price) / pos.avg_price * 100
    if change >= p.take_profit_pct then
      pending[bar.code] = ctx:sell(bar.code, { reason = string.format("take profit %+.2f%%", change) }) ~= nil
    elseif change <= -p.stop_loss_pct then
      pending[bar.code] = ctx:sell(bar.code, { reason = string.format("stop loss %+.2f%%", change) }) ~= nil
    end
    return
  end

  if ring.n < keep or bar.hhmm >= last_entry then return end
  local past = ring[(ring.n - p.lookback_bars) % keep]
  local rise = (bar.close - past) / past * 100
  if rise >= p.entry_rise_pct then
    pending[bar.code] = ctx:buy(bar.code, {
      amount = p.budget,
      reason = string.format("rose %.2f%% in %d bars", rise, p.lookback_bars),
    }) ~= nil
  end
end

-- Every status change of this strategy's orders; once an order is done the
-- code is free for the next decision.
function S.on_order(ctx, o)
  if o.status == "filled" or o.status == "cancelled" or o.status == "rejected" then
    pending[o.code] = nil
  end
end

return S
