// Name and birth-country pools for synthetic players: plain, common names so that generated
// players are obviously fictional but read naturally.
#pragma once

#include <span>
#include <string_view>

#include "db/generator/rng.hpp"

namespace fastbreak::db::detail {

struct CountryShare {
  std::string_view name;
  double weight;  // relative share of players born there
};

// About 200 distinct first names and 200 distinct last names. Static storage.
std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
std::span<const CountryShare> Countries();

// A birth country drawn by the shares above (mostly "USA").
std::string_view DrawCountry(Rng& rng);

}  // namespace fastbreak::db::detail
