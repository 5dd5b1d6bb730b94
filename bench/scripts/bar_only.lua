-- Benchmark strategy: bars only, so the engine skips the per-tick Lua call.
local S = { name = "bar_only", params = {} }
local bars = 0
function S.on_bar(ctx, bar) bars = bars + 1 end
return S
