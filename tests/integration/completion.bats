#!/usr/bin/env bats
# completion/vessel.bash: commands, group subcommands, flags and names from the store, as bash
# asks for them (COMP_WORDS / COMP_CWORD, then COMPREPLY).

load helpers

setup_file()
{
	export VESSEL_ROOT=$BATS_FILE_TMPDIR/store VESSEL_RUNROOT=$BATS_FILE_TMPDIR/run
	export PATH=$VESSEL_BUILD/cmd/vessel:$PATH
	suite_setup
	tar --numeric-owner -C "$ROOTFS" -c . | vessel import - vt-complete:1 >/dev/null
}

teardown_file()
{
	stop_procfs_daemon # started by `create`
}

# complete WORD...: what the completion offers for the command line WORD... (the last is
# the word being completed), space-separated.
complete_words()
{
	# shellcheck disable=SC1091
	source "$REPO/completion/vessel.bash"
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vessel
	echo "${COMPREPLY[*]}"
}

@test "completion: commands, subcommands of a group, and flags, from vessel's own help" {
	run complete_words vessel ru
	[ "$output" = "run" ]
	run complete_words vessel image pr
	[ "$output" = "prune" ]
	run complete_words vessel run --restar
	[ "$output" = "--restart" ]
	run complete_words vessel run --restart o
	[ "$output" = "on-failure" ]
}

@test "completion: image and container names from the store" {
	run complete_words vessel run vt-comp
	[ "$output" = "vt-complete:1" ]
	vessel create --network none --name vt-complete-ctr vt-complete:1 true >/dev/null
	run complete_words vessel rm vt-complete-c
	vessel rm vt-complete-ctr >/dev/null
	[ "$output" = "vt-complete-ctr" ]
}
