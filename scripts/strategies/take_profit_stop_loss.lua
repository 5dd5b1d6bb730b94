-- take_profit_stop_loss: sells a whole holding, at market, once its price is far
-- enough above its average buy price (take profit) or below it (stop loss).
--
-- Every holding of the account is watched, whichever strategy bought it, so this
-- script is the exit half of entry-only strategies (momentum, bollinger, ...).
-- Each side has a percent and a won threshold; 0 turns a threshold off and the
-- first one reached sells. The won thresholds are the holding's unrealized P&L,
-- (price - average price) x shares, fees excluded (as the broker shows it).
-- Checked on every tick and on every bar's close.
--
-- params
--   take_profit_pct  sell at or above average x (1 + x / 100); 0 = off
--   take_profit_won  sell once the holding is up this many won; 0 = off
--   stop_loss_pct    sell at or below average x (1 - x / 100); 0 = off
--   stop_loss_won    sell once the holding is down this many won; 0 = off
local S = {
  name = "take_profit_stop_loss",
  params = {
    take_profit_pct = 2.0,
    take_profit_won = 0,
    stop_loss_pct = 1.5,
    stop_loss_won = 0,
  },
}

local pending = {}  -- code -> id of our sell still working

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  for _, key in ipairs({ "take_profit_pct", "take_profit_won", "stop_loss_pct", "stop_loss_won" }) do
    assert(p[key] >= 0, key .. " must be 0 (off) or positive, got " .. tostring(p[key]))
  end
  if saved then pending = saved.pending end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

-- The reason to sell `pos` at `price`, or nil to hold. Percent thresholds are
-- compared as change x 100 against pct x average, which is exact for the usual
-- percentages (a division would put 9,850 a hair above -1.5 % of 10,000).
local function exit_reason(p, pos, price)
  local avg = pos.avg_price
  local change = price - avg
  local won = change * pos.qty
  local pct = change / avg * 100  -- for the reason only
  if p.take_profit_pct > 0 and change * 100 >= p.take_profit_pct * avg then
    return string.format("take profit %+.2f%%", pct)
  elseif p.take_profit_won > 0 and won >= p.take_profit_won then
    return string.format("take profit %+d won", won)
  elseif p.stop_loss_pct > 0 and change * 100 <= -p.stop_loss_pct * avg then
    return string.format("stop loss %+.2f%%", pct)
  elseif p.stop_loss_won > 0 and won <= -p.stop_loss_won then
    return string.format("stop loss %+d won", won)
  end
end

local function check(ctx, code, price)
  if pending[code] or not price or price <= 0 then return end
  local pos = ctx:position(code)
  if not pos or pos.avg_price <= 0 then return end
  local reason = exit_reason(ctx.params, pos, price)
  if not reason then return end
  local id, veto = ctx:sell(code, { reason = reason })
  if id then
    pending[code] = id
  else
    ctx:log("%s: %s refused: %s", code, reason, veto)
  end
end

function S.on_tick(ctx, t) check(ctx, t.code, t.price) end
function S.on_bar(ctx, bar) check(ctx, bar.code, bar.close) end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
  end
end

function S.on_reload() return { pending = pending } end

return S
