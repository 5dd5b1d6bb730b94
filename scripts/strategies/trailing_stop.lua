-- trailing_stop: once a holding is up activate_pct over its average buy price,
-- follows its highest price from then on and sells the whole holding, at market,
-- when the price falls trail_pct below that high.
--
-- Every holding of the account is watched, whichever strategy bought it. Before
-- activation nothing is sold (pair it with take_profit_stop_loss for a stop
-- loss). The high is the highest price seen since activation: ticks when the
-- engine sends them, else bar highs (a bar's high counts before its close is
-- tested, so a bar that makes a new high and falls back within itself sells at
-- its close). A new holding (a different opening time) starts afresh.
--
-- params
--   activate_pct  the trail starts at average x (1 + x / 100) or above
--   trail_pct     then sells at high x (1 - x / 100) or below
local S = {
  name = "trailing_stop",
  params = {
    activate_pct = 1.0,
    trail_pct = 0.5,
  },
}

local trails = {}   -- code -> { opened = holding's opening time, high = nil until activated }
local pending = {}  -- code -> id of our sell still working

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  assert(p.activate_pct >= 0, "activate_pct must be 0 or positive, got " .. tostring(p.activate_pct))
  assert(p.trail_pct > 0 and p.trail_pct < 100, "trail_pct must be between 0 and 100, got " .. tostring(p.trail_pct))
  if saved then trails, pending = saved.trails, saved.pending end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

-- `high` is the highest price since the last check, `price` the latest.
local function check(ctx, code, high, price)
  if not price or price <= 0 then return end
  local pos = ctx:position(code)
  if not pos or pos.avg_price <= 0 then
    trails[code] = nil
    return
  end
  local trail = trails[code]
  if not trail or trail.opened ~= pos.opened then
    trail = { opened = pos.opened }
    trails[code] = trail
  end
  local p = ctx.params
  if not trail.high then
    if high * 100 < pos.avg_price * (100 + p.activate_pct) then return end
    trail.high = high
    ctx:log("%s: trailing from %d (average %d)", code, high, pos.avg_price)
  elseif high > trail.high then
    trail.high = high
  end
  -- x 100 on both sides: exact for integer prices and the usual percentages
  if pending[code] or price * 100 > trail.high * (100 - p.trail_pct) then return end
  local reason = string.format("trailing stop %d from high %d", price, trail.high)
  local id, veto = ctx:sell(code, { reason = reason })
  if id then
    pending[code] = id
  else
    ctx:log("%s: %s refused: %s", code, reason, veto)
  end
end

function S.on_tick(ctx, t) check(ctx, t.code, t.price, t.price) end
function S.on_bar(ctx, bar) check(ctx, bar.code, bar.high, bar.close) end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
  end
end

function S.on_reload() return { trails = trails, pending = pending } end

return S
