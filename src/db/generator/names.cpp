#include "db/generator/names.hpp"

#include <array>

namespace fastbreak::db::detail {
namespace {

constexpr std::array<std::string_view, 204> kFirstNames = {
    "James",     "John",    "Robert",      "Michael",   "William", "David",   "Richard", "Joseph",
    "Thomas",    "Charles", "Christopher", "Daniel",    "Matthew", "Anthony", "Mark",    "Donald",
    "Steven",    "Paul",    "Andrew",      "Joshua",    "Kenneth", "Kevin",   "Brian",   "George",
    "Timothy",   "Ronald",  "Edward",      "Jason",     "Jeffrey", "Ryan",    "Jacob",   "Gary",
    "Nicholas",  "Eric",    "Jonathan",    "Stephen",   "Larry",   "Justin",  "Scott",   "Brandon",
    "Benjamin",  "Samuel",  "Gregory",     "Alexander", "Frank",   "Patrick", "Raymond", "Jack",
    "Dennis",    "Jerry",   "Tyler",       "Aaron",     "Jose",    "Adam",    "Nathan",  "Henry",
    "Douglas",   "Zachary", "Peter",       "Kyle",      "Ethan",   "Walter",  "Noah",    "Jeremy",
    "Christian", "Keith",   "Roger",       "Terry",     "Gerald",  "Harold",  "Sean",    "Austin",
    "Carl",      "Arthur",  "Lawrence",    "Dylan",     "Jesse",   "Jordan",  "Bryan",   "Billy",
    "Joe",       "Bruce",   "Gabriel",     "Logan",     "Albert",  "Willie",  "Alan",    "Juan",
    "Wayne",     "Elijah",  "Randy",       "Roy",       "Vincent", "Ralph",   "Eugene",  "Russell",
    "Bobby",     "Mason",   "Philip",      "Louis",     "Marcus",  "Darius",  "Isaiah",  "Jalen",
    "Malik",     "Andre",   "Terrence",    "Derrick",   "Jamal",   "Tyrese",  "Devin",   "Cameron",
    "Trevor",    "Caleb",   "Luke",        "Evan",      "Isaac",   "Julian",  "Miles",   "Damian",
    "Chris",     "Tony",    "Victor",      "Luka",      "Nikola",  "Dominic", "Xavier",  "Maurice",
    "Lamar",     "Darnell", "Reggie",      "Quentin",   "Cedric",  "Terrell", "Jerome",  "Marvin",
    "Clarence",  "Curtis",  "Corey",       "Shawn",     "Travis",  "Lance",   "Rodney",  "Antoine",
    "Jermaine",  "Desmond", "Trey",        "Dante",     "Omar",    "Ivan",    "Mateo",   "Lucas",
    "Hugo",      "Felix",   "Oscar",       "Leo",       "Max",     "Jonas",   "Theo",    "Karl",
    "Anders",    "Marco",   "Pablo",       "Diego",     "Carlos",  "Rafael",  "Sergio",  "Andres",
    "Emmanuel",  "Kofi",    "Samir",       "Ahmed",     "Yusuf",   "Omari",   "Jaylen",  "Jaden",
    "Kendall",   "Brady",   "Cole",        "Blake",     "Grant",   "Reed",    "Spencer", "Wesley",
    "Dwight",    "Vernon",  "Ray",         "Glenn",     "Stanley", "Leonard", "Calvin",  "Harvey",
    "Micah",     "Elias",   "Owen",        "Wyatt",     "Hunter",  "Chase",   "Colin",   "Garrett",
    "Derek",     "Troy",    "Alex",        "Bradley",
};

constexpr std::array<std::string_view, 214> kLastNames = {
    "Smith",     "Johnson",    "Williams", "Brown",      "Jones",    "Miller",    "Davis",
    "Wilson",    "Anderson",   "Taylor",   "Thomas",     "Moore",    "Jackson",   "Martin",
    "Lee",       "Thompson",   "White",    "Harris",     "Clark",    "Lewis",     "Robinson",
    "Walker",    "Young",      "Allen",    "King",       "Wright",   "Scott",     "Hill",
    "Green",     "Adams",      "Baker",    "Nelson",     "Carter",   "Mitchell",  "Roberts",
    "Turner",    "Phillips",   "Campbell", "Parker",     "Evans",    "Edwards",   "Collins",
    "Stewart",   "Morris",     "Murphy",   "Cook",       "Rogers",   "Morgan",    "Cooper",
    "Peterson",  "Reed",       "Bailey",   "Bell",       "Kelly",    "Howard",    "Ward",
    "Cox",       "Richardson", "Wood",     "Watson",     "Brooks",   "Bennett",   "Gray",
    "James",     "Hughes",     "Price",    "Sanders",    "Myers",    "Long",      "Ross",
    "Foster",    "Powell",     "Jenkins",  "Perry",      "Russell",  "Sullivan",  "Fisher",
    "Henderson", "Coleman",    "Simmons",  "Patterson",  "Jordan",   "Reynolds",  "Hamilton",
    "Graham",    "Wallace",    "West",     "Cole",       "Hayes",    "Bryant",    "Gibson",
    "Ellis",     "Stevens",    "Murray",   "Ford",       "Marshall", "Owens",     "McDonald",
    "Harrison",  "Kennedy",    "Wells",    "Alexander",  "Griffin",  "Butler",    "Barnes",
    "Holmes",    "Palmer",     "Hunt",     "Black",      "Daniels",  "Mason",     "Warren",
    "Dixon",     "Burns",      "Gordon",   "Shaw",       "Freeman",  "Wagner",    "Porter",
    "Hunter",    "Hicks",      "Crawford", "Boyd",       "Mills",    "Lane",      "Knight",
    "Stone",     "Hudson",     "Payne",    "Pierce",     "Berry",    "Matthews",  "Arnold",
    "Willis",    "Watkins",    "Carroll",  "Duncan",     "Snyder",   "Hart",      "Cunningham",
    "Bradley",   "Andrews",    "Harper",   "Fox",        "Riley",    "Armstrong", "Carpenter",
    "Weaver",    "Greene",     "Lawrence", "Elliott",    "Sims",     "Austin",    "Peters",
    "Franklin",  "Lawson",     "Fields",   "Schmidt",    "Carr",     "Wheeler",   "Chapman",
    "Oliver",    "Montgomery", "Richards", "Williamson", "Johnston", "Banks",     "Meyer",
    "Bishop",    "McCoy",      "Howell",   "Morrison",   "Hansen",   "Harvey",    "Little",
    "Burton",    "Stanley",    "George",   "Jacobs",     "Reid",     "Fuller",    "Lynch",
    "Dean",      "Gilbert",    "Welch",    "Larson",     "Frazier",  "Burke",     "Hanson",
    "Bowman",    "Fowler",     "Brewer",   "Hoffman",    "Carlson",  "Silva",     "Pearson",
    "Holland",   "Douglas",    "Fleming",  "Jensen",     "Byrd",     "Davidson",  "Hopkins",
    "Terry",     "Wade",       "Walters",  "Curtis",     "Neal",     "Caldwell",  "Lowe",
    "Jennings",  "Barnett",    "Graves",   "Horton",
};

// Birth countries with rough shares of an NBA roster.
constexpr std::array<CountryShare, 24> kCountries = {{
    {"USA", 740},     {"Canada", 40},
    {"France", 30},   {"Australia", 20},
    {"Serbia", 12},   {"Germany", 12},
    {"Spain", 10},    {"Nigeria", 10},
    {"Greece", 8},    {"Slovenia", 6},
    {"Turkey", 8},    {"Croatia", 8},
    {"Lithuania", 8}, {"Cameroon", 8},
    {"Brazil", 8},    {"Argentina", 6},
    {"Latvia", 6},    {"Japan", 4},
    {"Italy", 8},     {"Senegal", 8},
    {"Bahamas", 6},   {"Dominican Republic", 6},
    {"Finland", 4},   {"New Zealand", 4},
}};

}  // namespace

std::span<const std::string_view> FirstNames() { return kFirstNames; }
std::span<const std::string_view> LastNames() { return kLastNames; }
std::span<const CountryShare> Countries() { return kCountries; }

std::string_view DrawCountry(Rng& rng) {
  std::array<double, kCountries.size()> weights{};
  for (size_t i = 0; i < kCountries.size(); ++i) weights[i] = kCountries[i].weight;
  return kCountries[rng.Pick(weights)].name;
}

}  // namespace fastbreak::db::detail
