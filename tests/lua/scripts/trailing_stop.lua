-- Sells a position on the first tick trail_pct below the highest price seen
-- while holding it, with a limit one tick under that tick's price.
local S = { name = "trailing_stop", params = { trail_pct = 2.0 } }

local peaks = {}    -- code -> highest price since the position was opened
local selling = {}  -- code -> id of our sell still working

function S.on_tick(ctx, t)
  if selling[t.code] then return end
  local held = ctx:position(t.code)
  if not held then
    peaks[t.code] = nil
    return
  end
  local peak = math.max(peaks[t.code] or held.avg_price, t.price)
  peaks[t.code] = peak
  if t.price <= peak * (1 - ctx.params.trail_pct / 100) then
    local id, veto = ctx:sell(t.code, { ticks = -1, reason = string.format("trailing stop from %d", peak) })
    if id then selling[t.code] = id else ctx:log("%s: stop refused: %s", t.code, veto) end
  end
end

function S.on_order(ctx, o)
  if selling[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    selling[o.code] = nil
  end
end

return S
