#ifndef ROSTER_CGIT2_SHIMS_H
#define ROSTER_CGIT2_SHIMS_H

/// `git_libgit2_opts` is variadic, which Swift cannot call: these wrap the options Roster
/// sets. Each returns libgit2's result (0 on success).

/// Turns libgit2's repository owner validation on or off.
int roster_git_set_owner_validation(int enabled);

/// Turns re-hashing of every object read on or off.
int roster_git_set_strict_hash_verification(int enabled);

#endif
