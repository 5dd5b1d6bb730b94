-- Benchmark strategy: looks at every tick and almost never acts, like most
-- strategies on most ticks.
local S = { name = "tick_noop", params = { ceiling = 100000000 } }
local seen = 0
function S.on_tick(ctx, t)
  seen = seen + 1
  if t.price > ctx.params.ceiling then ctx:buy(t.code, { qty = 1, reason = "never" }) end
end
return S
