#ifndef ROSTER_CGIT2_SHIMS_H
#define ROSTER_CGIT2_SHIMS_H

/// Turns libgit2's repository owner validation on or off. `git_libgit2_opts` is variadic,
/// which Swift cannot call, so this wraps the one option Roster needs.
/// Returns libgit2's result (0 on success).
int roster_git_set_owner_validation(int enabled);

#endif
