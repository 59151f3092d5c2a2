# bash completion for vessel(1).                                  -*- shell-script -*-
# Installed by `make install` in bash-completion's directory; or source it from ~/.bashrc.
#
# Commands and flags come from vessel itself (`vessel --help`, `vessel COMMAND --help`), so the
# completion follows the binary it completes; names come from the store: containers after
# commands that take a container, images after run/create/rmi/..., volumes and networks after
# their groups.

_vessel_words()
{
	# _vessel_words KIND: the names of one kind of object, one per line.
	case $1 in
	containers) vessel ps -a --format '{{.Names}}' 2>/dev/null ;;
	running) vessel ps --format '{{.Names}}' 2>/dev/null ;;
	images) vessel images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>' ;;
	volumes) vessel volume ls -q 2>/dev/null ;;
	networks) vessel network ls --format '{{.Name}}' 2>/dev/null ;;
	esac
}

# _vessel_commands [GROUP]: the commands listed by `vessel [GROUP] --help`.
_vessel_commands()
{
	vessel "$@" --help 2>/dev/null | awk '/^(Management )?Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }'
}

# _vessel_flags CMD...: the long and short flags `vessel CMD --help` lists.
_vessel_flags()
{
	vessel "$@" --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' | tr -d ' ,' | sort -u
}

_vessel()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n = || return
	else
		cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
	fi

	# the command (and a group's subcommand), skipping global flags and their values
	local i cmd="" sub="" groups=" container image volume network system "
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--root | --runroot | -l | --log-level) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			elif [[ -z $sub && $groups == *" $cmd "* ]]; then
				sub=${words[i]}
				break
			else
				break
			fi
			;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--root --runroot --debug --log-level --version --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_vessel_commands)" -- "$cur")
		fi
		return
	fi
	if [[ $groups == *" $cmd "* && -z $sub ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vessel_commands "$cmd")" -- "$cur")
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_vessel_flags "$cmd" ${sub:+"$sub"})" -- "$cur")
		return
	fi
	case $prev in
	-v | --volume | --mount | -w | --workdir | --env-file | --label-file | -o | --output | -i | --input)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--network | --net) mapfile -t COMPREPLY < <(compgen -W "none host bridge $(_vessel_words networks)" -- "$cur"); return ;;
	--volumes-from) mapfile -t COMPREPLY < <(compgen -W "$(_vessel_words containers)" -- "$cur"); return ;;
	--restart) mapfile -t COMPREPLY < <(compgen -W "no always on-failure unless-stopped" -- "$cur"); return ;;
	--pull) mapfile -t COMPREPLY < <(compgen -W "missing always never" -- "$cur"); return ;;
	esac
	local kind=""
	case ${sub:-$cmd} in
	run | create | rmi | tag | history | push | save) kind=images ;;
	start | rm | logs | inspect | wait | port | rename | commit | export | diff | cp | restart) kind=containers ;;
	stop | kill | exec | attach | top | stats | pause | unpause | update) kind=running ;;
	esac
	case $cmd in
	volume) [[ $sub == inspect || $sub == rm ]] && kind=volumes ;;
	network) [[ $sub == inspect || $sub == rm || $sub == connect || $sub == disconnect ]] && kind=networks ;;
	image) [[ -n $sub ]] && kind=images ;;
	esac
	[[ -n $kind ]] && mapfile -t COMPREPLY < <(compgen -W "$(_vessel_words "$kind")" -- "$cur")
}

complete -F _vessel vessel
