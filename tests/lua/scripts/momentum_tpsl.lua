-- Momentum entry on 1-minute bars, with take-profit and stop-loss exits.
local S = {
  name = "momentum_tpsl",
  params = {
    lookback_bars = 5,      -- entry: the close rose at least entry_rise_pct over this many bars
    entry_rise_pct = 0.8,
    budget = 1000000,       -- won per entry; the engine turns it into whole shares
    take_profit_pct = 1.5,  -- sell everything at +1.5 % over the average price
    stop_loss_pct = 1.0,    -- or at -1.0 %
    last_entry = "14:30",   -- no new entries after this KST time
  },
}

local closes = {}   -- code -> the last lookback_bars + 1 closes, oldest first
local pending = {}  -- code -> id of our order still working there
local last_entry    -- params.last_entry as hhmm (1430)

function S.on_init(ctx)
  local h, m = ctx.params.last_entry:match("^(%d+):(%d+)$")
  last_entry = tonumber(h) * 100 + tonumber(m)
  ctx:log("ready: %d bars, +%.2f%%, %d won", ctx.params.lookback_bars, ctx.params.entry_rise_pct,
          ctx.params.budget)
end

function S.on_bar(ctx, bar)
  local p = ctx.params
  local history = closes[bar.code]
  if not history then
    history = {}
    closes[bar.code] = history
  end
  history[#history + 1] = bar.close  -- keep the number: the bar table is reused
  if #history > p.lookback_bars + 1 then table.remove(history, 1) end
  if pending[bar.code] then return end

  local held = ctx:position(bar.code)
  if held then
    local change = (bar.close - held.avg_price) / held.avg_price * 100
    if change >= p.take_profit_pct or change <= -p.stop_loss_pct then
      local why = string.format("%s %.2f%%", change > 0 and "take profit" or "stop loss", change)
      local id, veto = ctx:sell(bar.code, { reason = why })  -- no qty: the whole position
      if id then pending[bar.code] = id else ctx:log("exit refused: %s", veto) end
    end
    return
  end

  if #history <= p.lookback_bars or bar.hhmm > last_entry then return end
  local rise = (bar.close - history[1]) / history[1] * 100
  if rise >= p.entry_rise_pct then
    local id, veto = ctx:buy(bar.code, { amount = p.budget,
                                         reason = string.format("rise %.2f%% in %d bars", rise, p.lookback_bars) })
    if id then pending[bar.code] = id else ctx:log("entry refused: %s", veto) end
  end
end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
    if o.status ~= "filled" then ctx:log("%s %s order %d: %s", o.code, o.side, o.id, o.status) end
  end
end

function S.on_fill(ctx, f)
  ctx:log("%s %s %d @ %d (commission %d, tax %d)", f.side, f.code, f.qty, f.price, f.commission, f.tax)
end

return S
