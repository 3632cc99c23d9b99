from stance.score.run import main

main()
