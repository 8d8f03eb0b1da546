// Lexical checks on PostgreSQL SQL text, internal to the postgres backend: where one
// statement ends, and whether SQL from an untrusted source may run at all. The scanner knows
// string literals ('...', E'...', U&'...'), quoted identifiers, dollar-quoted strings and
// nested comments, so nothing inside them is mistaken for code.
#pragma once

#include <string_view>

#include "core/error.hpp"

namespace fastbreak::db::detail {

// Index just past the whitespace, ';' and comments starting at `from`.
size_t SkipBlanks(std::string_view sql, size_t from);

// The index of the first ';' outside literals and comments, or sql.size() when there is none.
size_t StatementEnd(std::string_view sql);

// Checks SQL from an untrusted source (Connection::PrepareUntrusted) before the server sees it:
//   kInvalidArgument  empty, or more than comments after the first statement
//   kPermissionDenied a first keyword other than SELECT, WITH, VALUES, TABLE or EXPLAIN (of
//                     one of those), or a call of a function that reaches outside the query
//                     (files, other sessions, configuration, sleeping, sequences, SQL text
//                     run by a function); the message names what was refused
// Writes hidden in a WITH or a function are left to the READ ONLY transaction the statement
// runs in. REQUIRES: `sql` is within the size limit (checked by the caller).
Status CheckUntrustedSql(std::string_view sql);

}  // namespace fastbreak::db::detail
