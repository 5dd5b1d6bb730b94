-- per_condition_window: lets each source of buys (a condition-search formula,
-- or a strategy) buy only inside its own time window, and optionally only up
-- to a budget of won per day.
--
-- `windows` lists the sources, separated by ";", each a name, ":" and its
-- settings:
--
--   "golden cross: 09:00-10:30 budget=2000000; momentum: 09:30-14:00"
--
--   HH:MM-HH:MM  KST window: buys from the first time up to (not at) the second
--   budget=N     won the source may buy for per day; a buy beyond what is left
--                is shrunk to it ({amount = left}, or {qty = shares that fit}
--                at the intent's limit or else the last price), and vetoed
--                once nothing is left
--
-- A buy's source is its formula (intent.condition, set by condition_entry)
-- when that name is listed, else
-- its strategy's name. Sources not listed are let through, or all vetoed with
-- unlisted = "block". Sells are never vetoed. The budget counts what this
-- script let through (for qty, at that price), whether or not it filled; a buy
-- by shares of a stock with no price yet is vetoed when a budget applies.
--
-- params
--   windows   the sources and their settings, as above
--   unlisted  "allow" or "block" the buys of sources not listed
local R = {
  params = {
    windows = "",
    unlisted = "allow",
  },
}

local rules       -- source name -> { first, last, budget = won or nil }
local spent = {}  -- source name -> won let through on `day`
local day
local started     -- on_init ran to its end

local function hhmm(text, what)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  if not (h and tonumber(h) < 24 and tonumber(m) < 60) then
    error(string.format("windows: %s: expected HH:MM, got %q", what, tostring(text)), 0)
  end
  return tonumber(h) * 100 + tonumber(m)
end

local function parse(text)
  local parsed = {}
  for entry in (text .. ";"):gmatch("([^;]*);") do
    if entry:match("%S") then
      local name, settings = entry:match("^%s*(.-)%s*:%s+(.-)%s*$")
      if not name or name == "" then
        error(string.format("windows: %q: expected \"<name>: HH:MM-HH:MM [budget=N]\"", entry), 0)
      end
      if parsed[name] then error(string.format("windows: %q is listed twice", name), 0) end
      local rule = {}
      for word in settings:gmatch("%S+") do
        local a, b = word:match("^(%d%d:%d%d)%-(%d%d:%d%d)$")
        local budget = word:match("^budget=(%d+)$")
        if a then
          rule.first, rule.last = hhmm(a, name), hhmm(b, name)
        elseif budget then
          rule.budget = tonumber(budget)
        else
          error(string.format("windows: %s: unknown setting %q (expected HH:MM-HH:MM or budget=N)", name, word), 0)
        end
      end
      if not rule.first then error(string.format("windows: %s: no HH:MM-HH:MM window", name), 0) end
      if rule.first >= rule.last then
        error(string.format("windows: %s: the window must start before it ends", name), 0)
      end
      parsed[name] = rule
    end
  end
  return parsed
end

-- The formula comes as intent.condition; the replacement of an order changed
-- with ctx:modify does not carry it yet (the engine rebuilds that intent from
-- the order), but its reason keeps "condition [<name>] ...".
local function source(intent)
  local formula = intent.condition or (intent.reason and intent.reason:match("^condition %[(.-)%]"))
  if formula and rules[formula] then return formula end
  return intent.strategy
end

function R.on_init(ctx, saved)
  local p = ctx.params
  local ok, parsed = pcall(parse, p.windows)
  if not ok then error("params: " .. parsed) end
  rules = parsed
  assert(p.unlisted == "allow" or p.unlisted == "block", "unlisted must be \"allow\" or \"block\", got " .. p.unlisted)
  if saved then spent, day = saved.spent, saved.day end
  started = true
end

-- A bad parameter raised in on_init: the host disables the script, which then refuses buys (sells pass).
function R.self_check() return started == true, "on_init failed (see the error before)" end

function R.on_reload() return { spent = spent, day = day } end

function R.check(ctx, intent)
  if intent.side ~= "buy" then return true end
  local p = ctx.params
  local name = source(intent)
  local rule = rules[name]
  if not rule then
    if p.unlisted == "block" then return false, string.format("%s has no window", name) end
    return true
  end
  local now = ctx:now()
  if now.hhmm < rule.first or now.hhmm >= rule.last then
    return false, string.format("%s buys only %02d:%02d-%02d:%02d", name, math.floor(rule.first / 100),
                                rule.first % 100, math.floor(rule.last / 100), rule.last % 100)
  end
  if not rule.budget then return true end

  if now.date ~= day then spent, day = {}, now.date end
  local left = rule.budget - (spent[name] or 0)
  if intent.qty and intent.qty > 0 then
    local price = intent.price or ctx:last(intent.code)
    if not price or price <= 0 then
      return false, string.format("%s: %s has no price yet to count shares against the budget", name, intent.code)
    end
    local fits = math.min(intent.qty, math.floor(left / price))
    if fits <= 0 then return false, string.format("%s spent its budget of %d won today", name, rule.budget) end
    spent[name] = (spent[name] or 0) + fits * price
    if fits < intent.qty then return { qty = fits } end
    return true
  end
  if left <= 0 then return false, string.format("%s spent its budget of %d won today", name, rule.budget) end
  local amount = math.min(intent.amount, left)
  spent[name] = (spent[name] or 0) + amount
  if amount < intent.amount then return { amount = amount } end
  return true
end

return R
